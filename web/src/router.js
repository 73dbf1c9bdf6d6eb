import { createRouter, createWebHistory } from 'vue-router'
import { session, loadMe, hasRole } from './session.js'
import { apiEvents } from './api.js'
import AppLayout from './components/AppLayout.vue'
import { composeSession } from './viewkey.js'

const routes = [
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true, title: '登录' } },
  { path: '/password', name: 'password', component: () => import('./views/PasswordView.vue'), meta: { bare: true, title: '修改密码' } },
  {
    path: '/',
    component: AppLayout,
    children: [
      { path: '', name: 'dashboard', component: () => import('./views/DashboardView.vue'), meta: { title: '工作台' } },
      { path: 'tickets', name: 'tickets', component: () => import('./views/TicketsView.vue'), meta: { title: '工单列表' } },
      { path: 'tickets/new', name: 'compose', component: () => import('./views/ComposeView.vue'), meta: { title: '撰写信息', roles: ['editor'] } },
      { path: 'tickets/:id/edit', name: 'edit', component: () => import('./views/ComposeView.vue'), meta: { title: '修改信息', roles: ['editor'] } },
      { path: 'tickets/:id/review', name: 'review', component: () => import('./views/ReviewView.vue'), meta: { title: '审核' } },
      { path: 'tickets/:id', name: 'ticket', component: () => import('./views/TicketView.vue'), meta: { title: '工单详情' } },
      { path: 'channels', name: 'channels', component: () => import('./views/ChannelsView.vue'), meta: { title: '渠道账号', roles: ['operator', 'admin'] } },
      { path: 'units', name: 'units', component: () => import('./views/UnitsView.vue'), meta: { title: '单位管理', roles: ['admin', 'office'] } },
      { path: 'users', name: 'users', component: () => import('./views/UsersView.vue'), meta: { title: '用户与角色', roles: ['admin', 'office'] } },
      { path: 'audit', name: 'audit', component: () => import('./views/AuditView.vue'), meta: { title: '审计日志', roles: ['auditor', 'office', 'admin'] } },
      { path: 'archive', name: 'archive', component: () => import('./views/ArchiveView.vue'), meta: { title: '审核记录归档', roles: ['auditor', 'office', 'deputy_leader', 'principal_leader'] } },
      { path: 'freshness', name: 'freshness', component: () => import('./views/FreshnessView.vue'), meta: { title: '更新监测', roles: ['auditor', 'office', 'admin'] } },
      { path: ':rest(.*)*', name: 'notfound', component: () => import('./views/NotFoundView.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (!session.loaded) await loadMe()
  if (to.meta.public) {
    if (to.name === 'login' && session.user && !session.user.password_expired) return { name: 'dashboard' }
    return true
  }
  if (!session.user) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  if (session.user.password_expired && to.name !== 'password') return { name: 'password' }
  if (to.meta.roles && !hasRole(...to.meta.roles)) return { name: 'dashboard' }
  if (to.name === 'compose') { composeSession.serial++; composeSession.createdId = null }
  return true
})

router.afterEach((to) => {
  document.title = `${to.meta.title ? to.meta.title + ' - ' : ''}政务新媒体统一审核分发系统`
})

apiEvents.onUnauthenticated = () => {
  session.user = null
  if (router.currentRoute.value.name !== 'login') {
    router.push({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
  }
}
apiEvents.onPasswordExpired = () => {
  if (session.user) session.user.password_expired = true
  router.push({ name: 'password' })
}
