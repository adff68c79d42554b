/* The command line: one function per command, each taking the arguments after its name. */
#ifndef FANGHU_CLI_H
#define FANGHU_CLI_H

/* Removes "--name VALUE" or "--name=VALUE" from argv and returns VALUE (NULL when absent).
 * *bad is set when the option is present without a value. */
const char *cli_take(int *argc, char **argv, const char *name, int *bad);
/* Removes a bare flag "--name"; returns 1 when it was there. */
int cli_flag(int *argc, char **argv, const char *name);

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_org(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_grade(int argc, char **argv);
int cmd_mlps(int argc, char **argv);
int cmd_risk(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_duty(int argc, char **argv);
int cmd_duty_remind(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_import_nmap(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_ingest(int argc, char **argv);

#endif
