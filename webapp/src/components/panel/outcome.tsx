import {useState} from 'react';
import {useIntl} from 'react-intl';

import {refusalText} from '../../client';
import {messages} from '../../messages';

import {colors} from './colors';

// Outcome is what the server said of a change: its message, or why it refused.
export interface Outcome {
    ok: boolean;
    text: string;
}

// useChange runs one change at a time for a button or form, keeping which one is pending (by
// key) and what the server said, in the words it said it; an error without its words gets ours.
export function useChange() {
    const intl = useIntl();
    const [pending, setPending] = useState<string | null>(null);
    const [outcome, setOutcome] = useState<Outcome | null>(null);
    const run = async (key: string, change: () => Promise<string>) => {
        setPending(key);
        setOutcome(null);
        try {
            setOutcome({ok: true, text: await change()});
        } catch (e) {
            setOutcome({ok: false, text: refusalText(e) || intl.formatMessage(messages.panelNotDone)});
        } finally {
            setPending(null);
        }
    };
    return {run, pending, outcome};
}

// OutcomeLine shows what the server said, as plain text.
export function OutcomeLine({outcome}: {outcome: Outcome | null}) {
    if (!outcome) {
        return null;
    }
    return (
        <p
            role={outcome.ok ? 'status' : 'alert'}
            style={{margin: '4px 0', color: outcome.ok ? colors.secondary : colors.error, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere'}}
        >
            {outcome.text}
        </p>
    );
}
