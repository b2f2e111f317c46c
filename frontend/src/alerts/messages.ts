/** Strings of the alert-rule editor (配置中心 → 预警规则). */
import type { ModuleMessages } from '@/i18n/modules'

export default {
  'zh-CN': {
    alertRules: {
      nav: '预警规则',
      level: { blue: '蓝色', yellow: '黄色', red: '红色' },
      metric: { count: '投诉量', growth: '环比增长率' },
      grouping: { category: '按分类', product: '按产品', product_line: '按产品线', region: '按地区', channel: '按渠道', none: '不分组' },
      list: {
        create: '新建规则', name: '名称', scope: '范围', metric: '指标', levels: '阈值', owners: '负责人', enabled: '启用',
        lastFired: '最近触发', openAlerts: '未解除', never: '从未', everything: '全部投诉', conditionCount: '{n} 个条件',
        window: '近 {n} 天', empty: '还没有预警规则', enabledOn: '已启用', enabledOff: '已停用', noOwners: '未指定',
        evaluate: '立即评估', evaluated: '已评估：新开 {opened}，升级 {escalated}，解除 {cleared}',
      },
      editor: {
        titleNew: '新建预警规则', titleEdit: '编辑预警规则', tabDef: '定义', tabAlerts: '近期预警', tabVersions: '版本历史',
        name: '名称', description: '说明', enabled: '启用', scope: '统计范围（条件）', scopeHint: '不设条件 = 所有投诉；此处条件在数据库中统计，不能用公式。',
        grouping: '分组', metric: '指标', window: '统计窗口', days: '天', baseline: '基准窗口数', baselineHint: '与之前几个窗口的平均值比较',
        minCount: '最少投诉数', minCountHint: '窗口内少于此数不预警', thresholds: '阈值', thresholdsHint: '达到阈值即触发；可留空某一级，其余须 蓝 < 黄 < 红。',
        owners: '负责人', ownersHint: '预警开启或升级时通知，并可确认预警', auto: '自动开整改措施', autoEnabled: '达到级别时自动创建整改措施',
        autoLevel: '触发级别', autoDept: '责任部门', autoOwner: '整改负责人', autoDue: '整改期限（天）',
        save: '保存', cancel: '取消', saved: '已保存（版本 {n}）', delete: '删除规则', deleteConfirm: '删除预警规则“{name}”？', deleted: '已删除',
        problemNone: '至少设置一级阈值', problemOrder: '阈值必须满足 蓝 < 黄 < 红', problemCountMin: '投诉量阈值至少为 1', problemGrowthMin: '增长率阈值不能为负',
        invalid: '请先修正标出的问题', versionsEmpty: '暂无版本', version: '版本 {n}', savedAt: '{who} 保存于 {time}',
      },
      preview: {
        title: '近 90 天预览', loading: '计算中…', hint: '每天结束时规则会得到的数值和级别（今天：截至现在），三条虚线是阈值，三角形是会触发预警的日子。',
        fired: '{level}触发', firedCount: '会触发：蓝色 {blue} 次，黄色 {yellow} 次，红色 {red} 次', groups: '共 {n} 个分组，显示前 {shown} 个',
        all: '全部', empty: '近 90 天没有符合范围的投诉', stale: '修改后将重新计算', group: '分组', maxLevel: '最高级别', days: '达到级别的天数',
      },
      alerts: {
        empty: '还没有预警', group: '分组', level: '级别', value: '数值', opened: '开启时间', status: '状态', open: '未解除', cleared: '已解除',
        acknowledged: '已确认', improvement: '整改',
      },
    },
  },
  en: {
    alertRules: {
      nav: 'Alert rules',
      level: { blue: 'Blue', yellow: 'Yellow', red: 'Red' },
      metric: { count: 'Complaints', growth: 'Growth' },
      grouping: { category: 'By category', product: 'By product', product_line: 'By product line', region: 'By region', channel: 'By channel', none: 'No grouping' },
      list: {
        create: 'New rule', name: 'Name', scope: 'Scope', metric: 'Metric', levels: 'Thresholds', owners: 'Owners', enabled: 'Enabled',
        lastFired: 'Last fired', openAlerts: 'Open', never: 'Never', everything: 'All complaints', conditionCount: '{n} conditions',
        window: 'last {n} days', empty: 'No alert rules yet', enabledOn: 'Enabled', enabledOff: 'Disabled', noOwners: 'None',
        evaluate: 'Evaluate now', evaluated: 'Evaluated: {opened} opened, {escalated} escalated, {cleared} cleared',
      },
      editor: {
        titleNew: 'New alert rule', titleEdit: 'Edit alert rule', tabDef: 'Definition', tabAlerts: 'Recent alerts', tabVersions: 'Versions',
        name: 'Name', description: 'Description', enabled: 'Enabled', scope: 'Scope (condition)', scopeHint: 'No condition = every complaint; counted in the database, so no formulas.',
        grouping: 'Grouping', metric: 'Metric', window: 'Window', days: 'days', baseline: 'Baseline windows', baselineHint: 'Compared with the mean of this many earlier windows',
        minCount: 'Minimum complaints', minCountHint: 'No level below this many complaints in the window', thresholds: 'Thresholds', thresholdsHint: 'A level fires when the value reaches it; a level may be left empty, the others must increase: blue < yellow < red.',
        owners: 'Owners', ownersHint: 'Notified when an alert opens or rises; they may acknowledge it', auto: 'Automatic improvement action', autoEnabled: 'Open an improvement action at a level',
        autoLevel: 'From level', autoDept: 'Responsible department', autoOwner: 'Action owner', autoDue: 'Due in (days)',
        save: 'Save', cancel: 'Cancel', saved: 'Saved (version {n})', delete: 'Delete rule', deleteConfirm: 'Delete the alert rule "{name}"?', deleted: 'Deleted',
        problemNone: 'Set at least one threshold', problemOrder: 'Thresholds must increase: blue < yellow < red', problemCountMin: 'A count threshold is at least 1', problemGrowthMin: 'A growth threshold is at least 0',
        invalid: 'Fix the marked problems first', versionsEmpty: 'No versions', version: 'Version {n}', savedAt: 'saved by {who} at {time}',
      },
      preview: {
        title: 'Last 90 days', loading: 'Computing…', hint: 'The value and level the rule would have had at the end of each day (today: so far); the dashed lines are the thresholds, the triangles the days an alert would have fired.',
        fired: '{level} fired', firedCount: 'Would have fired: blue {blue}, yellow {yellow}, red {red} times', groups: '{n} groups, the first {shown} shown',
        all: 'All', empty: 'No complaints in scope in the last 90 days', stale: 'Recomputed after changes', group: 'Group', maxLevel: 'Highest level', days: 'Days at level',
      },
      alerts: {
        empty: 'No alerts yet', group: 'Group', level: 'Level', value: 'Value', opened: 'Opened', status: 'Status', open: 'Open', cleared: 'Cleared',
        acknowledged: 'Acknowledged', improvement: 'Improvement',
      },
    },
  },
} satisfies ModuleMessages
