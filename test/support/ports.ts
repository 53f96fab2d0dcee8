/** A TCP port free on the loopback interface right now, for servers a test starts itself. */
export { freeLoopbackPort as freePort } from '../../server/loopback-port';
