/** UI strings of the configuration bundle page (配置包), merged over the core strings (see i18n/modules.ts). */
import type { ModuleMessages } from '@/i18n/modules'

export default {
  'zh-CN': {
    admin: { nav: { configBundles: '配置包导入导出' } },
    bundles: {
      kinds: {
        roles: '角色', departments: '部门', teams: '团队', categories: '投诉分类', product_lines: '产品线', products: '产品',
        calendars: '工作日历', notification_templates: '通知模板', notification_channels: '通知渠道', notification_rules: '通知订阅',
        webhooks: 'Webhook', processes: '流程', sla_policies: 'SLA 策略', forms: '表单', rules: '业务规则', alert_rules: '预警规则',
      },
      export: {
        title: '导出配置', button: '下载配置包', done: '已下载 {name}',
        hint: '表单、流程、规则、SLA、日历、预警、通知、角色与分类等全部配置，打包为 YAML 文件的 zip。不含密钥、用户和工单。',
      },
      import: {
        title: '导入配置', choose: '选择 zip 文件', noFile: '未选择文件', dryRun: '试运行', again: '重新试运行', apply: '应用',
        hint: '先试运行：列出将新增、修改、不变和移除的内容，不做任何改动；确认后再应用（一个事务，全部成功或全部不做）。',
        prune: '停用配置包中没有的对象（prune）', pruneWhat: 'prune 是什么？',
        pruneHelp1: '“移除”是本系统中有、配置包中没有的对象。默认只列出，不做改动。',
        pruneHelp2: '勾选后应用时会停用它们：分类、部门、团队、产品停用，规则和预警规则停用，SLA 策略、流程、通知渠道、订阅和 Webhook 停用。',
        pruneHelp3: '角色、表单、日历、产品线和通知模板从不停用或删除；任何对象都不会被物理删除。',
        confirm: '按此计划应用配置包？', confirmPrune: '按此计划应用配置包，并停用配置包中没有的对象？', applied: '配置已导入',
      },
      plan: {
        title: '导入计划（试运行）', titleApplied: '导入结果', fromTemplate: '行业模板：{name}', added: '新增', changed: '修改',
        unchanged: '不变', removed: '移除', none: '无', nothing: '没有此类对象', unchangedN: '{n} 项不变',
        problems: '配置包有 {n} 个问题，未导入：', wholeBundle: '（整个配置包）',
        refused: '配置包有问题，未做任何改动。请修正下列问题后重试。', appliedMsg: '已应用：下列改动已写入（版本与审计记录已生成）。',
        dryRunMsg: '这是试运行，尚未做任何改动。检查计划后点击“应用”。', upToDate: '配置已是最新：没有要新增、修改或移除的内容。',
        pruned: 'prune：{what}', notPruned: '只列出；勾选 prune 后应用时：{what}', notPrunable: '此类对象不会被停用或删除。',
        fieldsAdded: '新增字段：{list}', fieldsRemoved: '删除字段：{list}', fieldsChanged: '修改字段：{list}',
        layoutChanged: '布局已改', settingsChanged: '设置已改', bpmnChanged: 'BPMN 已修改（{old} → {new} 字符）',
        daysChanged: '日期：新增 {added}、删除 {removed}、修改 {changed}',
      },
      templates: {
        title: '行业模板', name: '模板', description: '说明', preview: '试运行',
        hint: '开箱即用的行业配置（分类、部门、表单、流程、规则、SLA、预警、通知模板）。先试运行查看将新增的内容，再应用。',
      },
    },
  },
  en: {
    admin: { nav: { configBundles: 'Config bundles' } },
    bundles: {
      kinds: {
        roles: 'Roles', departments: 'Departments', teams: 'Teams', categories: 'Categories', product_lines: 'Product lines',
        products: 'Products', calendars: 'Calendars', notification_templates: 'Notification templates',
        notification_channels: 'Notification channels', notification_rules: 'Subscriptions', webhooks: 'Webhooks',
        processes: 'Processes', sla_policies: 'SLA policies', forms: 'Forms', rules: 'Rules', alert_rules: 'Alert rules',
      },
      export: {
        title: 'Export', button: 'Download bundle', done: 'Downloaded {name}',
        hint: 'Forms, processes, rules, SLA, calendars, alerts, notifications, roles and taxonomies as a zip of YAML files. No secrets, users or tickets.',
      },
      import: {
        title: 'Import', choose: 'Choose a zip', noFile: 'No file chosen', dryRun: 'Dry run', again: 'Dry run again', apply: 'Apply',
        hint: 'Dry run first: it lists what would be added, changed, left and removed, and changes nothing. Then apply (one transaction: all or nothing).',
        prune: 'Disable objects the bundle does not contain (prune)', pruneWhat: 'What does prune do?',
        pruneHelp1: '"Removed" objects exist here but not in the bundle. By default they are only listed.',
        pruneHelp2: 'With prune, applying disables them: categories, departments, teams and products are deactivated, rules and alert rules disabled, SLA policies, processes, notification channels, subscriptions and webhooks deactivated.',
        pruneHelp3: 'Roles, forms, calendars, product lines and notification templates are never disabled or deleted; nothing is ever hard-deleted.',
        confirm: 'Apply the bundle as planned?', confirmPrune: 'Apply the bundle as planned and disable the objects it does not contain?',
        applied: 'Configuration imported',
      },
      plan: {
        title: 'Import plan (dry run)', titleApplied: 'Import result', fromTemplate: 'Industry template: {name}', added: 'Added',
        changed: 'Changed', unchanged: 'Unchanged', removed: 'Removed', none: 'none', nothing: 'No objects of this kind',
        unchangedN: '{n} unchanged', problems: 'The bundle has {n} problem(s); nothing was imported:', wholeBundle: '(the whole bundle)',
        refused: 'The bundle has problems; nothing was changed. Fix them and try again.',
        appliedMsg: 'Applied: these changes were written (with versions and audit entries).',
        dryRunMsg: 'This is a dry run; nothing has changed yet. Check the plan, then apply.',
        upToDate: 'Up to date: nothing would be added, changed or removed.',
        pruned: 'prune: {what}', notPruned: 'Only listed; applied with prune: {what}',
        notPrunable: 'Objects of this kind are never disabled or deleted.',
        fieldsAdded: 'fields added: {list}', fieldsRemoved: 'fields removed: {list}', fieldsChanged: 'fields changed: {list}',
        layoutChanged: 'layout changed', settingsChanged: 'settings changed', bpmnChanged: 'BPMN changed ({old} → {new} characters)',
        daysChanged: 'days: {added} added, {removed} removed, {changed} changed',
      },
      templates: {
        title: 'Industry templates', name: 'Template', description: 'Description', preview: 'Dry run',
        hint: 'Ready-made configurations per industry (categories, departments, forms, processes, rules, SLA, alerts, notification templates). Dry run to see what would be added, then apply.',
      },
    },
  },
} satisfies ModuleMessages
