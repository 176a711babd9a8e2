// formatDuration writes seconds as "42s", "3m 05s" or "1h 02m".
export function formatDuration(seconds: number): string {
    const s = Math.max(0, Math.floor(seconds));
    if (s < 60) {
        return `${s}s`;
    }
    const pad = (n: number) => String(n).padStart(2, '0');
    if (s < 3600) {
        return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
    }
    return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
}

export const shortRevision = (revision: string): string => revision.slice(0, 12);

// plainText undoes what the server does to Buildbot's words in its Markdown answers, for a place
// that shows them as plain text: the backslash before Markdown punctuation, and the invisible word
// joiner that keeps "@channel", "://" and "www." from mentioning or linking in a chat post.
export const plainText = (markdown: string): string => markdown.replace(/\\([\\`*_[\]<>#|~!])|\u2060/g, (_, sign?: string) => sign ?? '');
