import {useState} from 'react';
import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {Theme} from '../../types/theme';

import {fade} from './colors';
import {shortRevision} from './format';

// copyText puts text on the clipboard; pages served over plain http have no Clipboard API, so
// the older selection route is the fallback.
async function copyText(text: string): Promise<void> {
    if (navigator.clipboard) {
        await navigator.clipboard.writeText(text);
        return;
    }
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    document.execCommand('copy');
    area.remove();
}

// CopyIcon is drawn rather than a glyph, which not every font has.
function CopyIcon() {
    return (
        <svg
            width='12'
            height='12'
            viewBox='0 0 12 12'
            aria-hidden='true'
            style={{verticalAlign: '-1px'}}
        >
            <rect x='3.5' y='3.5' width='7' height='7' rx='1' fill='none' stroke='currentColor'/>
            <path d='M8.5 1.5h-6a1 1 0 0 0-1 1v6' fill='none' stroke='currentColor'/>
        </svg>
    );
}

interface Props {
    revision: string;
    theme: Theme;
}

// Revision shows the short revision, the full one on hover, and a button that copies it.
export function Revision({revision, theme}: Props) {
    const intl = useIntl();
    const [copied, setCopied] = useState(false);
    const copy = async () => {
        try {
            await copyText(revision);
            setCopied(true);
            window.setTimeout(() => setCopied(false), 1500);
        } catch {
            setCopied(false);
        }
    };
    return (
        <span style={{display: 'inline-flex', alignItems: 'baseline', gap: 2}}>
            <code title={revision}>{shortRevision(revision)}</code>
            <button
                type='button'
                aria-label={intl.formatMessage(messages.revisionCopy, {revision})}
                title={intl.formatMessage(messages.revisionCopy, {revision})}
                onClick={copy}
                style={{border: 'none', background: 'transparent', color: fade(theme.centerChannelColor, 0.64), cursor: 'pointer', padding: '0 4px', fontSize: 12}}
            >
                {copied ? intl.formatMessage(messages.revisionCopied) : <CopyIcon/>}
            </button>
        </span>
    );
}
