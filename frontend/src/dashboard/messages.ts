import type { ModuleMessages } from '@/i18n/modules'

/** The dashboard's strings (merged over the core ones, see src/i18n/modules.ts). */
const messages: ModuleMessages = {
  'zh-CN': {
    dashboard: {
      title: '运营看板',
      window: '统计周期', days: '近 {n} 天', department: '部门', team: '班组', allDepartments: '全部部门', allTeams: '全部班组',
      refresh: '刷新', updatedAt: '更新于 {time}', autoRefresh: '每 {n} 秒自动刷新', paused: '页面在后台，自动刷新已暂停',
      refreshFailed: '刷新失败，显示的是 {time} 的数据：{error}', loading: '正在加载看板…',
      kpi: {
        open: '未结工单', newToday: '今日新增', overdue: '已超时', sla: 'SLA 达标率（解决）', firstResponse: '首次响应（中位数）',
        resolution: '解决时长（中位数）', csat: '客户满意度',
      },
      hint: {
        open: '含待客户反馈、重开', newToday: '自今日 0 点起（{tz}）', overdue: '未结且已过解决时限',
        sla: '达标 {met} · 超时 {breached}', firstResponse: '平均 {mean} · {count} 单', resolution: '平均 {mean} · {count} 单',
        csat: '回访 {responses} 次，满意 {satisfied} 次', noCsat: '周期内暂无回访结果', none: '周期内暂无数据',
        firstResponseSla: '首响达标 {rate}',
      },
      chart: {
        trend: '每日新增与关闭', byChannel: '渠道分布', byCategory: '分类排行（前 8）', new: '新增', closed: '关闭',
        uncategorised: '未分类', others: '其他分类', empty: '所选周期内没有工单', total: '合计 {n}',
      },
    },
  },
  en: {
    dashboard: {
      title: 'Dashboard',
      window: 'Period', days: 'Last {n} days', department: 'Department', team: 'Team', allDepartments: 'All departments', allTeams: 'All teams',
      refresh: 'Refresh', updatedAt: 'Updated {time}', autoRefresh: 'Refreshes every {n} s', paused: 'Tab in the background: auto refresh paused',
      refreshFailed: 'Refresh failed, showing the figures of {time}: {error}', loading: 'Loading the dashboard…',
      kpi: {
        open: 'Open tickets', newToday: 'New today', overdue: 'Overdue', sla: 'Resolution SLA met', firstResponse: 'First response (median)',
        resolution: 'Resolution time (median)', csat: 'Customer satisfaction',
      },
      hint: {
        open: 'Incl. waiting and reopened', newToday: 'Since midnight ({tz})', overdue: 'Open and past the resolution due time',
        sla: '{met} met · {breached} breached', firstResponse: 'Mean {mean} · {count} tickets', resolution: 'Mean {mean} · {count} tickets',
        csat: '{responses} follow-up calls, {satisfied} satisfied', noCsat: 'No follow-up results in the period', none: 'No data in the period',
        firstResponseSla: 'First response {rate}',
      },
      chart: {
        trend: 'New and closed per day', byChannel: 'By channel', byCategory: 'Top categories (8)', new: 'New', closed: 'Closed',
        uncategorised: 'Uncategorised', others: 'Other categories', empty: 'No tickets in the selected period', total: 'Total {n}',
      },
    },
  },
}

export default messages
