import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPoller } from './poll'

describe('createPoller', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  function setup(hidden = false) {
    const state = { hidden, calls: 0 }
    const poller = createPoller({
      task: async () => { state.calls += 1 },
      intervalMs: 30_000,
      isHidden: () => state.hidden,
      now: () => Date.now(),
    })
    return { state, poller }
  }

  it('runs at once and then every interval', async () => {
    const { state, poller } = setup()
    poller.start()
    await vi.advanceTimersByTimeAsync(0)
    expect(state.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(state.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(1)
    expect(state.calls).toBe(2)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(state.calls).toBe(4)
    poller.stop()
    await vi.advanceTimersByTimeAsync(120_000)
    expect(state.calls).toBe(4)
  })

  it('pauses while hidden and catches up when shown', async () => {
    const { state, poller } = setup()
    poller.start()
    await vi.advanceTimersByTimeAsync(10_000)
    state.hidden = true
    poller.visibilityChanged()
    expect(poller.paused).toBe(true)
    await vi.advanceTimersByTimeAsync(300_000)
    expect(state.calls).toBe(1) // nothing while hidden
    state.hidden = false
    poller.visibilityChanged()
    await vi.advanceTimersByTimeAsync(0)
    expect(state.calls).toBe(2) // older than the interval: at once
    // Shown again shortly after a run: waits for the rest of the interval.
    state.hidden = true
    poller.visibilityChanged()
    await vi.advanceTimersByTimeAsync(5_000)
    state.hidden = false
    poller.visibilityChanged()
    await vi.advanceTimersByTimeAsync(24_999)
    expect(state.calls).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(state.calls).toBe(3)
  })

  it('does not start in a hidden tab; a manual refresh restarts the interval; failures keep polling', async () => {
    const { state, poller } = setup(true)
    poller.start()
    await vi.advanceTimersByTimeAsync(60_000)
    expect(state.calls).toBe(0)
    state.hidden = false
    poller.visibilityChanged()
    await vi.advanceTimersByTimeAsync(0)
    expect(state.calls).toBe(1)
    await vi.advanceTimersByTimeAsync(20_000)
    await poller.refresh()
    expect(state.calls).toBe(2)
    await vi.advanceTimersByTimeAsync(29_999)
    expect(state.calls).toBe(2)
    await vi.advanceTimersByTimeAsync(1)
    expect(state.calls).toBe(3)

    let failures = 0
    const failing = createPoller({ task: async () => { failures += 1; throw new Error('down') }, intervalMs: 1000,
      isHidden: () => false })
    failing.start()
    await vi.advanceTimersByTimeAsync(2500)
    expect(failures).toBe(3)
    failing.stop()
  })
})
