import {render, screen} from '@testing-library/react';
import {IntlProvider} from 'react-intl';

import {parsePluginStatus} from '../../plugin_status';
import {translations} from '../../translations';

import {ConnectionCheck} from './connection_check';

function renderCheck(answer: unknown, locale = 'en') {
    const read = jest.fn(async () => {
        const status = parsePluginStatus(answer);
        if (!status) {
            throw new Error('HTTP 500');
        }
        return status;
    });
    render(
        <IntlProvider locale={locale} messages={translations[locale]}>
            <ConnectionCheck read={read}/>
        </IntlProvider>,
    );
    return read;
}

const answered = {
    configured: true, problems: [],
    buildbot: {url: 'https://ci/', reachable: true, version: '4.3.0', builders: [{active: true}, {active: true}, {active: false}]},
    events: {enabled: true, connected: true, since: 1764928800000},
};

test('a Buildbot that answers shows its version, its builders and that its events are followed', async () => {
    renderCheck(answered);

    expect(await screen.findByText('Buildbot 4.3.0 answered: 3 builders, 2 active')).toBeInTheDocument();
    expect(screen.getByText(/^Following Buildbot's events since/)).toBeInTheDocument();
});

test('what is wrong with the settings comes in the words /build uses', async () => {
    renderCheck({
        configured: false, problems: [{setting: 'Buildbot URL', message: 'is empty'}],
    });
    expect(await screen.findByText('Buildbot URL')).toBeInTheDocument();
    expect(screen.getByText(/is empty/)).toBeInTheDocument();
});

test('an unreachable Buildbot and a follower that is not connected say so', async () => {
    renderCheck({...answered, buildbot: {url: 'https://ci/', reachable: false, builders: [], error: 'Buildbot at https://ci/ is unreachable'},
        events: {enabled: true, connected: false, error: 'the connection was refused'}});

    expect(await screen.findByText('Buildbot did not answer: Buildbot at https://ci/ is unreachable')).toBeInTheDocument();
    expect(screen.getByText(/^Not following Buildbot's events: the connection was refused\./)).toBeInTheDocument();
});

test('push off is said plainly, in German for a German admin', async () => {
    renderCheck({...answered, events: {enabled: false, connected: false}}, 'de');

    expect(await screen.findByText('Push ist aus: Ergebnisse erscheinen bei jeder Abfrage.')).toBeInTheDocument();
});

test('a plugin that does not answer is told apart from a Buildbot that does not', async () => {
    renderCheck('not a status');

    expect(await screen.findByText('The plugin did not answer: is it enabled?')).toBeInTheDocument();
});
