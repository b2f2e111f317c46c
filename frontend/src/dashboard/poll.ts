/**
 * Live refresh: run a task now and then every `intervalMs` after the previous run finished,
 * paused while the tab is hidden (no requests from a background tab) and caught up as soon as
 * it is shown again (at once when the data is older than the interval).
 */
import { onBeforeUnmount, onMounted, ref } from 'vue'

export interface PollerOptions {
  task: () => Promise<unknown>
  intervalMs: number
  isHidden: () => boolean
  now?: () => number
}

export interface Poller {
  start(): void
  stop(): void
  /** Run now (a manual refresh): the next automatic run counts from this one. */
  refresh(): Promise<void>
  /** Call on `visibilitychange`. */
  visibilityChanged(): void
  readonly paused: boolean
}

export function createPoller(opts: PollerOptions): Poller {
  const now = opts.now ?? (() => Date.now())
  let timer: ReturnType<typeof setTimeout> | undefined
  let running = false
  let stopped = true
  let lastRun = Number.NEGATIVE_INFINITY

  function clear() {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
  }

  function schedule(delay: number) {
    clear()
    if (stopped || opts.isHidden()) return
    timer = setTimeout(() => void refresh(), Math.max(0, delay))
  }

  async function refresh(): Promise<void> {
    if (running) return
    clear()
    running = true
    lastRun = now()
    try {
      await opts.task()
    } catch {
      // The task shows its own error; polling goes on.
    } finally {
      running = false
      schedule(opts.intervalMs)
    }
  }

  return {
    start() {
      stopped = false
      if (!opts.isHidden()) void refresh()
    },
    stop() {
      stopped = true
      clear()
    },
    refresh,
    visibilityChanged() {
      if (stopped) return
      if (opts.isHidden()) clear()
      else if (!running) schedule(lastRun + opts.intervalMs - now())
    },
    get paused() {
      return opts.isHidden()
    },
  }
}

/** `createPoller` bound to the component's life and the document's visibility. */
export function usePolling(task: () => Promise<unknown>, intervalMs: number) {
  const paused = ref(document.hidden)
  const poller = createPoller({ task, intervalMs, isHidden: () => document.hidden })
  const onVisibility = () => {
    paused.value = document.hidden
    poller.visibilityChanged()
  }
  onMounted(() => {
    document.addEventListener('visibilitychange', onVisibility)
    poller.start()
  })
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility)
    poller.stop()
  })
  return { paused, refresh: poller.refresh, restart: () => { poller.stop(); poller.start() } }
}
