import {useId, type ReactNode} from 'react';
import {useIntl} from 'react-intl';

import {messages} from '../../messages';

import {colors} from './colors';

interface Props {
    title: string;
    children: ReactNode;
}

// Section is one part of the panel, a region named by its heading.
export function Section({title, children}: Props) {
    const heading = useId();
    return (
        <section
            aria-labelledby={heading}
            style={{padding: '12px 0', borderBottom: `1px solid ${colors.border}`}}
        >
            <h3
                id={heading}
                style={{margin: '0 0 8px', fontSize: 14, fontWeight: 600}}
            >
                {title}
            </h3>
            {children}
        </section>
    );
}

// Note is a section's quieter line: its empty state, or why something is not offered.
export function Note({children}: {children: ReactNode}) {
    return <p style={{margin: '4px 0', color: colors.secondary}}>{children}</p>;
}

// ExternalLink opens Buildbot in another tab.
export function ExternalLink({href, children}: {href: string; children: ReactNode}) {
    return (
        <a
            href={href}
            target='_blank'
            rel='noopener noreferrer'
            style={{color: colors.link}}
        >
            {children}
        </a>
    );
}

export const listStyle = {listStyle: 'none', margin: 0, padding: 0};
export const itemStyle = {margin: '0 0 8px', overflowWrap: 'anywhere'} as const;
export const lineStyle = {display: 'flex', flexWrap: 'wrap', columnGap: 8, alignItems: 'baseline'} as const;

// buttonStyle is a small outlined button in the theme's button colour.
export const buttonStyle = {
    background: 'transparent', color: colors.button, border: `1px solid ${colors.button}`, borderRadius: 4, padding: '0 8px',
    font: 'inherit', fontSize: 12, lineHeight: '20px', cursor: 'pointer',
};

// PostLink opens a status post in Mattermost, in this tab.
export function PostLink({href}: {href: string}) {
    const intl = useIntl();
    return <a href={href} style={{color: colors.link}}>{intl.formatMessage(messages.panelStatusPost)}</a>;
}
