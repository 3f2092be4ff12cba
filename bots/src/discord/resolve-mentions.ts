/**
 * Discord writes mentions as markup (`<@1200…>`, `<@!1200…>`, `<@&…>`, `<#…>`, `<:name:id>`); the
 * story engine would read the markup as text and characters would answer "<@1200…>". Before a
 * member's message reaches a story, mentions become the names the member saw.
 */
export function resolveMentions(content: string, names: Readonly<Record<string, string>> = {}): string {
  return content
    .replace(/<@!?(\d{1,20})>/g, (_, id: string) => `@${names[id] ?? 'someone'}`)
    .replace(/<@&(\d{1,20})>/g, (_, id: string) => `@${names[id] ?? 'role'}`)
    .replace(/<#(\d{1,20})>/g, (_, id: string) => `#${names[id] ?? 'channel'}`)
    .replace(/<a?:(\w{1,32}):\d{1,20}>/g, (_, name: string) => `:${name}:`);
}
