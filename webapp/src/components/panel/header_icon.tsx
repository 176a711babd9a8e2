import {useSyncExternalStore} from 'react';
import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {PanelSource} from '../../panel/reducer';

import {colors} from './colors';

interface Props {
    source: PanelSource;
    iconUrl: string;
}

// HeaderIcon is the panel button's icon in the channel header, with a badge counting the red
// builders the channel's subscriptions cover, when there are any.
export function HeaderIcon({source, iconUrl}: Props) {
    const intl = useIntl();
    const count = useSyncExternalStore(source.subscribe, () => source.get().redCount);
    return (
        <span style={{position: 'relative', display: 'inline-flex', alignItems: 'center'}}>
            <img
                src={iconUrl}
                alt={intl.formatMessage(messages.panelTitle)}
                width={16}
                height={16}
            />
            {count !== null && count > 0 && (
                <span
                    role='img'
                    aria-label={intl.formatMessage(messages.panelBadge, {count})}
                    style={{
                        position: 'absolute', top: -6, right: -8, minWidth: 14, height: 14, padding: '0 3px', boxSizing: 'border-box',
                        borderRadius: 7, background: colors.error, color: colors.background, fontSize: 10, fontWeight: 700, lineHeight: '14px',
                        textAlign: 'center',
                    }}
                >
                    {count}
                </span>
            )}
        </span>
    );
}
