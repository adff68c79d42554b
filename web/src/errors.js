// Showing API errors: a field error goes next to its form field (el-form-item :error), anything
// else becomes an ElMessage; errors the session handlers already acted on are not shown twice.
import { reactive, watch } from 'vue'
import { ElMessage } from 'element-plus'
import { ApiError, isSessionError } from './api.js'

/** Pop an error message unless the session handlers are already navigating away. */
export function notifyError(error) {
  if (isSessionError(error)) return
  const message = error instanceof ApiError ? error.message : error?.message || '操作失败'
  ElMessage({ type: 'error', message, grouping: true, showClose: true })
}

/**
 * useFieldErrors(form, fields): errors[field] holds the server's message for that field until the
 * field's value changes. apply(error) returns true when the error was put on a field.
 * A server field like "jurisdiction[1].kind" lands on "jurisdiction".
 */
export function useFieldErrors(form, fields) {
  const errors = reactive({})
  const snapshot = {}

  function clear() {
    for (const key of Object.keys(errors)) delete errors[key]
  }

  function apply(error) {
    clear()
    if (error instanceof ApiError && error.field) {
      const key = fields.find(
        (f) => error.field === f || error.field.startsWith(`${f}[`) || error.field.startsWith(`${f}.`),
      )
      if (key) {
        errors[key] = error.message
        snapshot[key] = JSON.stringify(form[key])
        return true
      }
    }
    notifyError(error)
    return false
  }

  watch(
    () => fields.map((f) => JSON.stringify(form[f])),
    () => {
      for (const key of Object.keys(errors)) {
        if (JSON.stringify(form[key]) !== snapshot[key]) delete errors[key]
      }
    },
  )

  return { errors, clear, apply }
}
