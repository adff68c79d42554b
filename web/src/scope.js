// Wording for jurisdiction rows ({province, kind}, "*" meaning all) and for a user's data scope.
import { session } from './session.js'

export function provinceLabel(code) {
  if (code === '*') return '全部省份'
  return session.meta?.provinces?.find((p) => p.code === code)?.name || code
}

export function kindLabel(code) {
  if (code === '*') return '全部类型'
  return session.meta?.org_kinds?.find((k) => k.code === code)?.name || code
}

export function jurisdictionLabel(row) {
  return `${provinceLabel(row.province)} · ${kindLabel(row.kind)}`
}

/** Regulator kinds (部网络安全管理局, 省通信管理局, …) have a jurisdiction; /meta marks them. */
export function isRegulatorKind(kind) {
  if (typeof kind !== 'string' || !kind) return false
  const known = session.meta?.org_kinds?.find((k) => k.code === kind)
  if (known && typeof known.regulator === 'boolean') return known.regulator
  return kind.startsWith('regulator_')
}
