import {render, screen} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import {IntlProvider} from 'react-intl';

import type {MeSettingsClient} from '../../client';
import type {MeSettings} from '../../me_settings';
import {translations} from '../../translations';

import {DirectMessages} from './direct_messages';

const stored: MeSettings = {ownBuilds: 'off', breaks: true, email: 'alice@example.com', matched: true};

function renderPage(client: MeSettingsClient, locale = 'en') {
    render(
        <IntlProvider locale={locale} messages={translations[locale]}>
            <DirectMessages client={client}/>
        </IntlProvider>,
    );
}

test('the page shows the settings and the matched address, and saves a choice at once', async () => {
    const save = jest.fn(async (s: Pick<MeSettings, 'ownBuilds' | 'breaks'>) => ({...stored, ...s}));
    renderPage({load: async () => stored, save});

    expect(await screen.findByRole('radio', {name: /^Never/})).toBeChecked();
    expect(screen.getByRole('checkbox', {name: /your change breaks a build/})).toBeChecked();
    expect(screen.getByText('Builds whose changes carry alice@example.com are matched to you.')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('radio', {name: 'When it fails'}));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ownBuilds: 'failures', breaks: true}));
    expect(screen.getByRole('radio', {name: 'When it fails'})).toBeChecked();

    await userEvent.click(screen.getByRole('checkbox', {name: /your change breaks a build/}));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ownBuilds: 'failures', breaks: false}));
});

test('a save the server refuses puts the old choice back and says so', async () => {
    renderPage({load: async () => stored, save: async () => Promise.reject(new Error('HTTP 500'))});

    await userEvent.click(await screen.findByRole('radio', {name: 'Whenever it ends'}));

    expect(await screen.findByRole('alert')).toHaveTextContent('That was not saved; try again.');
    expect(screen.getByRole('radio', {name: /^Never/})).toBeChecked();
});

test('settings that cannot be read say so, in German for a German user', async () => {
    renderPage({load: async () => Promise.reject(new Error('HTTP 500')), save: jest.fn()}, 'de');

    expect(await screen.findByRole('alert')).toHaveTextContent('Ihre Einstellungen konnten nicht gelesen werden');
});
