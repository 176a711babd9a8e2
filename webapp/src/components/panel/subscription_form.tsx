import {useEffect, useId, useState, type FormEvent} from 'react';
import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {ChannelSubscriptions} from '../../panel/answers';

import {colors} from './colors';
import {OutcomeLine, useChange} from './outcome';
import {buttonStyle} from './section';

// SubscriptionChange is what a subscription follows: a repo, a branch ('' its default) and events.
export interface SubscriptionChange {
    repo: string;
    branch: string;
    events: string[];
}

interface Props {
    subscriptions: ChannelSubscriptions;
    onSubscribe: (s: SubscriptionChange) => Promise<string>;
    branchesOf: (repo: string) => Promise<string[]>;
}

// BRANCHES_DELAY_MS waits for the typing to pause before asking for the repo's branches.
const BRANCHES_DELAY_MS = 300;

const inputStyle = {
    display: 'block', width: '100%', boxSizing: 'border-box', margin: '2px 0 8px', padding: '4px 8px', font: 'inherit',
    color: colors.text, background: colors.background, border: `1px solid ${colors.border}`, borderRadius: 4,
} as const;

// SubscriptionForm adds a subscription to the channel, or replaces the one of the same repo and
// branch: the repo and branch offer what Buildbot knows, the events start at the server's default.
// The server checks it all again and says what it did, or why not.
export function SubscriptionForm({subscriptions, onSubscribe, branchesOf}: Props) {
    const intl = useIntl();
    const ids = useId();
    const [repo, setRepo] = useState('');
    const [branch, setBranch] = useState('');
    const [events, setEvents] = useState(() => subscriptions.defaultEvents);
    const [branches, setBranches] = useState<string[]>([]);
    const {run, pending, outcome} = useChange();

    const wanted = repo.trim();
    useEffect(() => {
        setBranches([]);
        if (!wanted || wanted === '*') {
            return undefined;
        }
        let live = true;
        const timer = window.setTimeout(() => {
            branchesOf(wanted).then((got) => live && setBranches(got), () => undefined);
        }, BRANCHES_DELAY_MS);
        return () => {
            live = false;
            window.clearTimeout(timer);
        };
    }, [wanted, branchesOf]);

    const toggle = (event: string, on: boolean) => setEvents((now) => (on ? [...now, event] : now.filter((e) => e !== event)));
    const submit = (e: FormEvent) => {
        e.preventDefault();
        // The events go in the server's order, whatever order they were ticked in.
        const chosen = subscriptions.events.map((ev) => ev.event).filter((ev) => events.includes(ev));
        void run('save', () => onSubscribe({repo: wanted, branch: branch.trim(), events: chosen}));
    };

    return (
        <form
            aria-label={intl.formatMessage(messages.panelFormLabel)}
            onSubmit={submit}
            style={{marginTop: 12}}
        >
            <label htmlFor={`${ids}repo`}>{intl.formatMessage(messages.panelFormRepo)}</label>
            <input
                id={`${ids}repo`}
                list={`${ids}repos`}
                value={repo}
                onChange={(e) => setRepo(e.target.value)}
                autoComplete='off'
                style={inputStyle}
            />
            <datalist id={`${ids}repos`}>
                {subscriptions.repos.map((r) => <option key={r} value={r}/>)}
            </datalist>
            <label htmlFor={`${ids}branch`}>{intl.formatMessage(messages.panelFormBranch)}</label>
            <input
                id={`${ids}branch`}
                list={`${ids}branches`}
                value={branch}
                placeholder={intl.formatMessage(messages.panelDefaultBranch)}
                onChange={(e) => setBranch(e.target.value)}
                autoComplete='off'
                style={inputStyle}
            />
            <datalist id={`${ids}branches`}>
                {branches.map((b) => <option key={b} value={b}/>)}
            </datalist>
            <fieldset style={{border: 'none', margin: '0 0 8px', padding: 0}}>
                <legend style={{padding: 0, fontSize: 'inherit', fontWeight: 'normal', margin: '0 0 2px', border: 'none'}}>
                    {intl.formatMessage(messages.panelFormEvents)}
                </legend>
                {subscriptions.events.map((ev) => (
                    <label
                        key={ev.event}
                        style={{display: 'flex', gap: 6, alignItems: 'baseline', fontWeight: 'normal', margin: '2px 0'}}
                    >
                        <input
                            type='checkbox'
                            aria-label={ev.event}
                            aria-describedby={`${ids}means-${ev.event}`}
                            checked={events.includes(ev.event)}
                            onChange={(e) => toggle(ev.event, e.target.checked)}
                        />
                        <code>{ev.event}</code>
                        <span
                            id={`${ids}means-${ev.event}`}
                            style={{color: colors.secondary}}
                        >
                            {ev.means}
                        </span>
                    </label>
                ))}
            </fieldset>
            <button
                type='submit'
                disabled={pending !== null || !wanted || events.length === 0}
                style={buttonStyle}
            >
                {intl.formatMessage(pending ? messages.panelFormSaving : messages.panelFormSave)}
            </button>
            <OutcomeLine outcome={outcome}/>
        </form>
    );
}
