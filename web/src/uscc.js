// 统一社会信用代码 (GB 32100-2015) check, the same rule as the server's uscc_valid (R11):
// 18 characters of "0123456789ABCDEFGHJKLMNPQRTUWXY", the last one the check character of the
// first 17 with weights 3^i mod 31.

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

/** The check character of the first 17 characters of code, or null if one is not allowed. */
export function usccCheckChar(code) {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const value = CHARSET.indexOf(code[i])
    if (value < 0) return null
    sum += value * WEIGHTS[i]
  }
  const check = 31 - (sum % 31)
  return CHARSET[check === 31 ? 0 : check]
}

/** '' when code is valid, else the reason in Chinese. */
export function usccProblem(code) {
  if (!code) return '请输入统一社会信用代码'
  if (code.length !== 18) return `统一社会信用代码应为 18 位（当前 ${code.length} 位）`
  for (const ch of code) {
    if (!CHARSET.includes(ch)) return `统一社会信用代码含有不允许的字符“${ch}”（仅数字和除 I、O、S、V、Z 外的大写字母）`
  }
  if (usccCheckChar(code) !== code[17]) return '统一社会信用代码校验位不正确（GB 32100）'
  return ''
}
