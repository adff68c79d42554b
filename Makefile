# Thin wrapper over Meson for the two commands of the README:
#   make run    installs what is needed, builds, and starts the server on SQLite
#   make check  installs what is needed, builds, and runs every test
# Everything else is a step of those two.

RELEASE := build
TEST    := build-test
FANGHU_LISTEN ?= 127.0.0.1:8080
FANGHU_DATA   ?= ./fanghu-data

.PHONY: run check deps build build-test web unit api browser lint-openapi format-check bench clean

run: build
	./$(RELEASE)/fanghu serve --listen $(FANGHU_LISTEN) --data $(FANGHU_DATA)

check: build build-test
	$(MAKE) --no-print-directory format-check unit api browser lint-openapi
	@echo "make check: all suites passed"

deps:
	@bash scripts/setup-deps.sh

# Files compiled into the binary are listed when Meson configures; a new migration or data file
# needs a reconfigure, which this stamp triggers.
EMBEDDED = $(sort $(wildcard src/store/migrations/*.sql data/cn-holidays/*.json data/*.json))

define reconfigure_if_new_files
	@echo "$(EMBEDDED)" > $(1)/.embedded.new; \
	if ! cmp -s $(1)/.embedded.new $(1)/.embedded; then meson setup --reconfigure $(1) >/dev/null; \
	  mv $(1)/.embedded.new $(1)/.embedded; else rm -f $(1)/.embedded.new; fi
endef

build: deps
	@test -f $(RELEASE)/build.ninja || meson setup $(RELEASE) --buildtype=release -Doptimization=2
	$(call reconfigure_if_new_files,$(RELEASE))
	ninja -C $(RELEASE)
	@$(MAKE) --no-print-directory web

# The test build: ASan + UBSan, every sanitizer finding fatal.
build-test: deps
	@test -f $(TEST)/build.ninja || meson setup $(TEST) --buildtype=debug -Doptimization=1 \
	    -Db_sanitize=address,undefined -Dc_args=-fno-sanitize-recover=all \
	    -Dc_link_args=-fno-sanitize-recover=all
	$(call reconfigure_if_new_files,$(TEST))
	ninja -C $(TEST)

web:
	@if [ -f web/package.json ]; then \
	    if [ ! -f web/dist/index.html ] || [ -n "$$(find web/src web/index.html web/vite.config.* -newer web/dist/index.html 2>/dev/null | head -1)" ]; then \
	        cd web && npm run build; \
	    fi; \
	fi

unit:
	meson test -C $(TEST) --suite unit --suite fuzz --print-errorlogs

api:
	FANGHU_BIN=$(CURDIR)/$(TEST)/fanghu bash tests/api/run.sh

browser:
	FANGHU_BIN=$(CURDIR)/$(TEST)/fanghu FANGHU_WEB_ROOT=$(CURDIR)/web/dist \
	    node --test --test-concurrency=1 tests/browser/

lint-openapi:
	bash tests/lint-openapi.sh

format-check:
	@files=$$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c'); \
	clang-format --dry-run --Werror $$files && echo "clang-format: clean"

bench: build
	bash bench/http/run.sh

clean:
	rm -rf $(RELEASE) $(TEST) web/dist
