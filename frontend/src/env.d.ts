/// <reference types="vite/client" />
import 'vue-router'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    /** i18n key of the page title shown in the header and the browser tab. */
    title?: string
  }
}
