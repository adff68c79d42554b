// The password policy of the contract, checked client-side before the server checks it again:
// at least 12 characters, at least three of lower case / upper case / digit / other, not the username.

export const MIN_LENGTH = 12

export function passwordClasses(pw) {
  return {
    lower: /[a-z]/.test(pw),
    upper: /[A-Z]/.test(pw),
    digit: /[0-9]/.test(pw),
    other: /[^A-Za-z0-9]/.test(pw),
  }
}

/** '' when the password satisfies the policy, else the reason in Chinese. */
export function passwordProblem(pw, username = '') {
  if (!pw) return '请输入新密码'
  if ([...pw].length < MIN_LENGTH) return `密码长度至少 ${MIN_LENGTH} 位`
  const n = Object.values(passwordClasses(pw)).filter(Boolean).length
  if (n < 3) return '密码须包含小写字母、大写字母、数字、其他字符中的至少三类'
  if (username && pw === username) return '密码不能与用户名相同'
  return ''
}
