import { useI18n } from 'vue-i18n'

/** Translated names for API enum values; an unknown value (a newer server) shows as itself. */
export function useLabels() {
  const { t, te } = useI18n()
  const pick = (group: string) => (value: string | null | undefined): string => {
    if (!value) return '—'
    const key = `${group}.${value}`
    return te(key) ? t(key) : value
  }
  return {
    status: pick('status'),
    priority: pick('priority'),
    channel: pick('channel'),
    tier: pick('tier'),
    event: pick('event'),
  }
}
