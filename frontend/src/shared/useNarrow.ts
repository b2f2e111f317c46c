import { onBeforeUnmount, onMounted, ref } from 'vue'

/** True on phone-sized viewports, following resizes and rotation. */
export function useNarrow(maxWidth = 600) {
  const query = `(max-width: ${maxWidth}px)`
  const narrow = ref(typeof window !== 'undefined' && window.matchMedia ? window.matchMedia(query).matches : false)
  let media: MediaQueryList | null = null
  const update = (e: MediaQueryListEvent) => (narrow.value = e.matches)
  onMounted(() => {
    if (!window.matchMedia) return
    media = window.matchMedia(query)
    narrow.value = media.matches
    media.addEventListener('change', update)
  })
  onBeforeUnmount(() => media?.removeEventListener('change', update))
  return narrow
}
