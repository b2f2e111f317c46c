import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { setUnauthenticatedHandler } from '@/api/client'
import { useSession } from '@/stores/session'
import { adminRoutes } from '@/admin/routes'

// Each page is its own lazy chunk; the layout is shared by every signed-in page.
const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/auth/LoginPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layout/AppLayout.vue'),
    children: [
      { path: '', redirect: { name: 'tickets' } },
      { path: 'tickets', name: 'tickets', component: () => import('@/tickets/TicketListPage.vue'), meta: { title: 'nav.tickets' } },
      {
        path: 'tickets/:id(\\d+)', name: 'ticket', component: () => import('@/tickets/TicketDetailPage.vue'),
        props: (route) => ({ id: Number(route.params.id) }), meta: { title: 'ticket.detailTitle' },
      },
      { path: 'inbox', name: 'inbox', component: () => import('@/inbox/InboxPage.vue'), meta: { title: 'nav.inbox' } },
      ...adminRoutes,
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/shared/NotFoundPage.vue'), meta: { title: 'errors.pageNotFound' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory('/'), routes })

router.beforeEach(async (to) => {
  const session = useSession()
  try {
    await session.ensureLoaded()
  } catch {
    // The server could not be asked; let the page show the error rather than a blank redirect loop.
    return true
  }
  if (to.meta.public) return to.name === 'login' && session.isAuthenticated ? { name: 'tickets' } : true
  if (!session.isAuthenticated) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  return true
})

setUnauthenticatedHandler(() => {
  const session = useSession()
  if (!session.isAuthenticated) return
  session.forget()
  const current = router.currentRoute.value
  if (!current.meta.public) void router.replace({ name: 'login', query: { next: current.fullPath, expired: '1' } })
})
