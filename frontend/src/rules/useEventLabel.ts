import { useI18n } from 'vue-i18n'

/** A trigger event's name in the UI language (`rules.eventNames.*`; an event without one shows its own name). */
export function useEventLabel(): (name: string) => string {
  const { t, te } = useI18n()
  return (name: string) => {
    const key = `rules.eventNames.${name.replace(/\./g, '_')}`
    return te(key) ? t(key) : name
  }
}
