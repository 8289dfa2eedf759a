import type { BrokerUserConfig } from '@unison/config';

/** MQTT matching of a concrete topic against a filter (`+` one level, `#` the rest, incl. the parent). */
export function topicMatchesFilter(filter: string, topic: string): boolean {
  const filterLevels = filter.split('/');
  const topicLevels = topic.split('/');
  for (let i = 0; i < filterLevels.length; i++) {
    if (filterLevels[i] === '#') return true;
    if (i >= topicLevels.length) return false;
    if (filterLevels[i] !== '+' && filterLevels[i] !== topicLevels[i]) return false;
  }
  return filterLevels.length === topicLevels.length;
}

/** True when every topic the `requested` filter can match is also matched by `allowed`. */
export function filterCovers(allowed: string, requested: string): boolean {
  const allowedLevels = allowed.split('/');
  const requestedLevels = requested.split('/');
  for (let i = 0; i < allowedLevels.length; i++) {
    const level = allowedLevels[i];
    if (level === '#') return true;
    const wanted = requestedLevels[i];
    if (wanted === undefined || wanted === '#') return false;
    if (level === '+') continue;
    if (wanted === '+' || wanted !== level) return false;
  }
  return allowedLevels.length === requestedLevels.length;
}

const forUser = (filters: string[], username: string) => filters.map((f) => f.replaceAll('%u', username));

export function mayPublish(user: BrokerUserConfig, topic: string): boolean {
  return forUser(user.publish, user.username).some((filter) => topicMatchesFilter(filter, topic));
}

export function maySubscribe(user: BrokerUserConfig, filter: string): boolean {
  // A shared subscription `$share/<group>/<filter>` asks for the same topics as `<filter>`.
  const topics = filter.startsWith('$share/') ? filter.split('/').slice(2).join('/') : filter;
  return forUser(user.subscribe, user.username).some((allowed) => filterCovers(allowed, topics));
}
