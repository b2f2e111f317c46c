/** Strings of the form renderer and of the agents' "new complaint" page (zh-CN and en, same keys). */
import type { ModuleMessages } from '@/i18n/modules'

export default {
  'zh-CN': {
    nav: { newTicket: '登记投诉' },
    forms: {
      choose: '请选择', chooseRegion: '请选择省/市/区', street: '详细地址', streetPlaceholder: '街道、门牌号等详细地址',
      tagsHint: '输入后回车添加', searchToChoose: '输入关键字搜索', expand: '展开', collapse: '收起',
      rangeStart: '开始日期', rangeEnd: '结束日期', serialOnSubmit: '提交后自动生成', files: '{n} 个文件',
      takePhoto: '拍照', choosePhotos: '选择图片', chooseFiles: '选择文件', filesLeft: '还可上传 {n} 个',
      removeFile: '删除 {name}', dismiss: '关闭', uploadUnavailable: '此处不能上传文件',
      locate: '获取当前位置', locateAgain: '重新定位', clear: '清除', address: '地址描述',
      addressPlaceholder: '地址或位置描述（如：XX路XX号门口）',
      locationDenied: '您未允许获取位置信息。', locationUnavailable: '暂时无法获取位置。', locationTimeout: '获取位置超时。',
      locationUnsupported: '此浏览器不支持定位。', locationFallback: '请在下方手动填写地址。',
      signHere: '请在框内签名', signatureSaved: '签名已保存', confirmSignature: '确认签名', signatureFailed: '签名图片生成失败',
      addRow: '添加一行', removeRow: '删除第 {n} 行',
    },
    newTicket: {
      title: '登记投诉', form: '投诉表单', chooseForm: '选择表单', channel: '受理渠道', subject: '投诉标题',
      subjectHint: '表单没有标题字段时填写', submit: '提交并查看工单', created: '已登记工单 {number}',
      noForms: '没有可用于此渠道的已发布表单', customer: '来电客户', lookingUp: '正在查找客户…',
      noCustomer: '未找到该号码的客户，提交后将自动建档', matches: '匹配的客户', choose: '选用', chosen: '已选用',
      history: '历史投诉', noHistory: '该客户没有历史投诉', historyCount: '共 {count} 条', tier: '等级',
      typePhone: '输入来电号码后自动查找客户', newCustomer: '按新客户登记', invalid: '表单有 {count} 处需要修改',
    },
  },
  en: {
    nav: { newTicket: 'New complaint' },
    forms: {
      choose: 'Choose', chooseRegion: 'Province / city / district', street: 'Street address', streetPlaceholder: 'Street, number, building',
      tagsHint: 'Type and press Enter', searchToChoose: 'Type to search', expand: 'Expand', collapse: 'Collapse',
      rangeStart: 'Start date', rangeEnd: 'End date', serialOnSubmit: 'Generated on submit', files: '{n} file(s)',
      takePhoto: 'Take a photo', choosePhotos: 'Choose photos', chooseFiles: 'Choose files', filesLeft: '{n} more allowed',
      removeFile: 'Remove {name}', dismiss: 'Dismiss', uploadUnavailable: 'Files cannot be uploaded here',
      locate: 'Use my location', locateAgain: 'Locate again', clear: 'Clear', address: 'Address',
      addressPlaceholder: 'Address or description of the place',
      locationDenied: 'You did not allow access to your location.', locationUnavailable: 'Your location is not available right now.',
      locationTimeout: 'Finding your location took too long.', locationUnsupported: 'This browser cannot share a location.',
      locationFallback: 'Please type the address below.',
      signHere: 'Sign inside the box', signatureSaved: 'Signature saved', confirmSignature: 'Use this signature',
      signatureFailed: 'The signature image could not be made', addRow: 'Add a row', removeRow: 'Remove row {n}',
    },
    newTicket: {
      title: 'New complaint', form: 'Form', chooseForm: 'Choose a form', channel: 'Channel', subject: 'Subject',
      subjectHint: 'Needed when the form has no subject field', submit: 'Submit and open the ticket', created: 'Ticket {number} registered',
      noForms: 'No published form is offered on this channel', customer: 'Caller', lookingUp: 'Looking up the customer…',
      noCustomer: 'No customer has this number; one is created on submit', matches: 'Matching customers', choose: 'Use', chosen: 'Selected',
      history: 'Previous complaints', noHistory: 'No previous complaints', historyCount: '{count} in all', tier: 'Tier',
      typePhone: 'Type the caller\'s number to look them up', newCustomer: 'Register as a new customer', invalid: '{count} field(s) need attention',
    },
  },
} satisfies ModuleMessages
