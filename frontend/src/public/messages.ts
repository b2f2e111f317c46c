/** Strings of the public pages: the complaint form (/f/<slug>) and the tracking page (/t/<token>). */
import type { ModuleMessages } from '@/i18n/modules'

export default {
  'zh-CN': {
    public: {
      submit: '提交', formUnavailable: '该表单不存在或已停用', fixErrors: '请先修改标红的内容',
      thanks: '提交成功', number: '投诉编号', trackHint: '请保存以下链接，随时查看处理进度：',
      track: '查看处理进度', copy: '复制链接', copied: '已复制', copyFailed: '复制失败，请长按链接手动复制', another: '再提交一条',
      trackTitle: '投诉进度', status: '当前状态', subject: '投诉内容',
      timeline: '处理进度', received: '已收到您的投诉', reply: '客服回复', resolved: '问题已解决', closed: '投诉已关闭',
      updated: '最近更新', refresh: '刷新', noReplies: '我们正在处理，如有进展会在此回复您。',
      honeypot: '请勿填写此项',
    },
  },
  en: {
    public: {
      submit: 'Submit', formUnavailable: 'This form does not exist or is no longer open', fixErrors: 'Please correct the fields marked in red',
      thanks: 'Thank you', number: 'Complaint number', trackHint: 'Keep this link to follow the progress at any time:',
      track: 'Follow the progress', copy: 'Copy link', copied: 'Copied', copyFailed: 'Could not copy; press and hold the link to copy it', another: 'Submit another',
      trackTitle: 'Complaint progress', status: 'Status', subject: 'Complaint',
      timeline: 'Progress', received: 'We received your complaint', reply: 'Reply from our service team', resolved: 'Resolved', closed: 'Closed',
      updated: 'Last updated', refresh: 'Refresh', noReplies: 'We are working on it and will reply here.',
      honeypot: 'Leave this empty',
    },
  },
} satisfies ModuleMessages
