/** The signed-in user (GET /me), sign in and sign out. */
import { defineStore } from 'pinia'
import { ref, computed } from 'vue'
import { api, unwrap, type Schemas } from '@/api/client'
import { ApiError } from '@/api/errors'

export type Me = Schemas['MeOut']

export const useSession = defineStore('session', () => {
  const me = ref<Me | null>(null)
  const loaded = ref(false)

  const isAuthenticated = computed(() => me.value !== null)
  const displayName = computed(() => me.value?.display_name || me.value?.username || '')

  function hasPerm(code: string): boolean {
    return !!me.value && (me.value.is_superuser || me.value.permissions.includes(code))
  }

  /** Loads the user once; a 401 means "not signed in", other failures propagate. */
  async function ensureLoaded(): Promise<void> {
    if (loaded.value) return
    try {
      me.value = await unwrap(api.GET('/api/v1/me'))
    } catch (err) {
      if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) throw err
      me.value = null
    }
    loaded.value = true
  }

  async function login(username: string, password: string): Promise<void> {
    me.value = await unwrap(api.POST('/api/v1/auth/login', { body: { username, password } }))
    loaded.value = true
  }

  async function logout(): Promise<void> {
    try {
      await unwrap(api.POST('/api/v1/auth/logout'))
    } finally {
      forget()
    }
  }

  function forget(): void {
    me.value = null
    loaded.value = true
  }

  return { me, loaded, isAuthenticated, displayName, hasPerm, ensureLoaded, login, logout, forget }
})
