/** Strings of the ticket page's form editing (zh-CN and en, same keys). */
import type { ModuleMessages } from '@/i18n/modules'

export default {
  'zh-CN': {
    ticketEdit: {
      edit: '编辑', save: '保存修改', saved: '已保存 {count} 处修改', changed: '已修改 {count} 处',
      invalid: '表单有需要修改的地方，请查看字段下方的提示',
    },
  },
  en: {
    ticketEdit: {
      edit: 'Edit', save: 'Save changes', saved: 'Saved {count} change(s)', changed: '{count} change(s)',
      invalid: 'Some fields need attention: see the messages below them',
    },
  },
} satisfies ModuleMessages
