import {useIntl} from 'react-intl';

import type {Change} from '../../build_status';
import {messages} from '../../messages';

import {shortRevision} from './format';

interface Props {
    changes: Change[];
    mentions: string[];
    secondary: string;
}

// Changes lists what a failed build brought since its builder's last success on the branch, and
// the Mattermost users among their authors: who may have broken it.
export function Changes({changes, mentions, secondary}: Props) {
    const intl = useIntl();
    const title = intl.formatMessage(messages.changesTitle);
    return (
        <section
            aria-label={title}
            style={{margin: '4px 0'}}
        >
            <div style={{color: secondary}}>{title}</div>
            <ul style={{margin: 0, paddingLeft: 16}}>
                {changes.map((c, i) => (
                    <li key={`${c.revision ?? ''}-${i}`}>
                        {c.revision && <code>{shortRevision(c.revision)}</code>} {c.author}{c.comment && `: ${c.comment}`}
                    </li>
                ))}
            </ul>
            {mentions.length > 0 && (
                <div style={{color: secondary}}>{intl.formatMessage(messages.mentions, {usernames: mentions.map((m) => `@${m}`).join(' ')})}</div>
            )}
        </section>
    );
}
