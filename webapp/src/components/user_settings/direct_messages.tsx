import {useEffect, useState} from 'react';
import {useIntl} from 'react-intl';

import type {MeSettingsClient} from '../../client';
import type {MeSettings, OwnBuilds} from '../../me_settings';
import {messages} from '../../messages';

interface Props {
    client: MeSettingsClient;
}

const ownChoices: Array<{value: OwnBuilds; label: keyof typeof messages}> = [
    {value: 'off', label: 'meOwnOff'},
    {value: 'failures', label: 'meOwnFailures'},
    {value: 'always', label: 'meOwnAlways'},
];

// DirectMessages is the plugin's section in Mattermost's settings: which direct messages about
// builds the user gets, saved as soon as they choose, and which address of their commits the plugin
// matches to them. It says what /build me says, for those who look in the settings first.
export function DirectMessages({client}: Props) {
    const intl = useIntl();
    const [settings, setSettings] = useState<MeSettings | null>(null);
    const [error, setError] = useState(false);
    const [saving, setSaving] = useState(false);

    useEffect(() => {
        let live = true;
        client.load().then((s) => live && setSettings(s), () => live && setError(true));
        return () => {
            live = false;
        };
    }, [client]);

    const save = async (next: MeSettings) => {
        const before = settings;
        setSettings(next);
        setSaving(true);
        setError(false);
        try {
            setSettings(await client.save(next));
        } catch {
            setSettings(before);
            setError(true);
        } finally {
            setSaving(false);
        }
    };

    if (!settings) {
        return <p role={error ? 'alert' : 'status'}>{intl.formatMessage(error ? messages.meNotRead : messages.meLoading)}</p>;
    }
    return (
        <div>
            <fieldset disabled={saving} style={{border: 'none', padding: 0, margin: '0 0 12px'}}>
                <legend style={{fontWeight: 600}}>{intl.formatMessage(messages.meOwnLegend)}</legend>
                {ownChoices.map((c) => (
                    <label key={c.value} style={{display: 'block', fontWeight: 'normal'}}>
                        <input
                            type='radio'
                            name='buildbot-own-builds'
                            checked={settings.ownBuilds === c.value}
                            onChange={() => save({...settings, ownBuilds: c.value})}
                        />{' '}
                        {intl.formatMessage(messages[c.label])}
                    </label>
                ))}
            </fieldset>
            <label style={{display: 'block', fontWeight: 'normal', marginBottom: 12}}>
                <input
                    type='checkbox'
                    disabled={saving}
                    checked={settings.breaks}
                    onChange={(e) => save({...settings, breaks: e.target.checked})}
                />{' '}
                {intl.formatMessage(messages.meBreaks)}
            </label>
            {settings.email && (
                <p>
                    {intl.formatMessage(settings.matched ? messages.meMatched : messages.meNotMatched, {email: settings.email})}
                </p>
            )}
            {error && <p role='alert'>{intl.formatMessage(messages.meNotSaved)}</p>}
        </div>
    );
}
