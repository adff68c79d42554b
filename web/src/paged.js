// A paginated list of GET /api/v1/<path>?limit=&offset=&<filters>, for the table pages.
import { reactive, ref, watch } from 'vue'
import { api } from './api.js'
import { notifyError } from './errors.js'

export function usePagedList(path, filters, { pageSize = 20 } = {}) {
  const items = ref([])
  const total = ref(0)
  const page = ref(1)
  const size = ref(pageSize)
  const loading = ref(false)
  const failed = ref(false)
  let seq = 0

  async function load() {
    const mine = ++seq
    loading.value = true
    try {
      const data = await api.get(path, { ...filters, limit: size.value, offset: (page.value - 1) * size.value })
      if (mine !== seq) return
      items.value = data?.items || []
      total.value = data?.total || 0
      failed.value = false
      // A deletion can leave the current page past the end.
      if (!items.value.length && total.value > 0 && page.value > 1) {
        page.value = Math.max(1, Math.ceil(total.value / size.value))
      }
    } catch (e) {
      if (mine !== seq) return
      failed.value = true
      notifyError(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  let timer = null
  watch(
    () => JSON.stringify(filters),
    () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        if (page.value !== 1) page.value = 1
        else load()
      }, 250)
    },
  )
  watch([page, size], load)

  return reactive({ items, total, page, size, loading, failed, load })
}
