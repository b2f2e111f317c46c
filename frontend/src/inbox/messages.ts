import type { ModuleMessages } from '@/i18n/modules'

const messages: ModuleMessages = {
  'zh-CN': {
    workspace: {
      title: '工作台', tabs: { mine: '我的待办', team: '团队待办', overdue: '已超时', cc: '抄送我的', done: '已办', all: '全部工单' },
    },
  },
  en: {
    workspace: {
      title: 'Workspace', tabs: { mine: 'My tasks', team: 'My teams', overdue: 'Overdue', cc: 'CC to me', done: 'Done by me', all: 'All tickets' },
    },
  },
}

export default messages
