import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {ChannelSubscriptions, Subscription} from '../../panel/answers';

import {colors} from './colors';
import {OutcomeLine, useChange} from './outcome';
import {buttonStyle, itemStyle, lineStyle, listStyle, Note, Section} from './section';
import {SubscriptionForm, type SubscriptionChange} from './subscription_form';

interface Props {
    subscriptions: ChannelSubscriptions;
    onSubscribe: (s: SubscriptionChange) => Promise<string>;
    onUnsubscribe: (s: {repo: string; branch: string}) => Promise<string>;
    branchesOf: (repo: string) => Promise<string[]>;
}

// Channel lists the channel's subscriptions and, for who may change them, a form to add one and
// a Remove button for each; anyone else reads why they may not.
export function Channel({subscriptions, onSubscribe, onUnsubscribe, branchesOf}: Props) {
    const intl = useIntl();
    // The outcome of a removal stays here: the removed subscription's line goes with it.
    const {run, pending, outcome} = useChange();
    const subs = subscriptions.subscriptions;
    return (
        <Section title={intl.formatMessage(messages.panelChannelTitle)}>
            {subs.length === 0 && <Note>{intl.formatMessage(messages.panelChannelEmpty)}</Note>}
            <ul style={listStyle}>
                {subs.map((s) => {
                    const key = `${s.repo} ${s.branch}`;
                    return (
                        <SubscriptionEntry
                            key={key}
                            subscription={s}
                            removing={pending === key}
                            onRemove={subscriptions.mayEdit ? () => run(key, () => onUnsubscribe({repo: s.repo, branch: s.branch})) : undefined}
                        />
                    );
                })}
            </ul>
            <OutcomeLine outcome={outcome}/>
            {subscriptions.mayEdit ? (
                // Folded until wanted: the list is what most people come for.
                <details style={{marginTop: 8}}>
                    <summary style={{cursor: 'pointer', color: colors.link}}>{intl.formatMessage(messages.panelFormLabel)}</summary>
                    <SubscriptionForm
                        subscriptions={subscriptions}
                        onSubscribe={onSubscribe}
                        branchesOf={branchesOf}
                    />
                </details>
            ) : subscriptions.refusal && <Note>{subscriptions.refusal}</Note>}
        </Section>
    );
}

interface EntryProps {
    subscription: Subscription;
    removing: boolean;
    // onRemove is there for who may change the channel's subscriptions.
    onRemove?: () => void;
}

function SubscriptionEntry({subscription: s, removing, onRemove}: EntryProps) {
    const intl = useIntl();
    const repo = s.repo === '*' ? intl.formatMessage(messages.panelAnyRepo) : s.repo;
    const branch = s.branch || intl.formatMessage(messages.panelDefaultBranch);
    return (
        <li
            aria-label={intl.formatMessage(messages.panelSubscriptionLabel, {repo, branch})}
            style={itemStyle}
        >
            <div style={lineStyle}>
                <strong>{repo}</strong>
                {s.branch ? <code>{s.branch}</code> : <span style={{color: colors.secondary}}>{branch}</span>}
                {onRemove && (
                    <button
                        type='button'
                        disabled={removing}
                        onClick={onRemove}
                        style={{...buttonStyle, marginLeft: 'auto'}}
                    >
                        {intl.formatMessage(removing ? messages.panelRemoving : messages.panelRemove)}
                    </button>
                )}
            </div>
            <div style={{...lineStyle, color: colors.secondary}}>
                <span>{s.events.join(', ')}</span>
                {s.creator && <span>{intl.formatMessage(messages.panelAddedBy, {username: s.creator})}</span>}
            </div>
        </li>
    );
}
