import { onBeforeUnmount, onMounted, ref } from 'vue'

/** The current time, refreshed every `everyMs` so countdowns move without refetching. */
export function useNow(everyMs = 30_000) {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => (now.value = Date.now()), everyMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
