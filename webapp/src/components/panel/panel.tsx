import {useEffect, useSyncExternalStore, type ReactNode} from 'react';
import {useIntl} from 'react-intl';

import {messages} from '../../messages';
import type {PanelController} from '../../panel/controller';
import type {Loaded, PanelSource} from '../../panel/reducer';

import {Channel} from './channel';
import {colors} from './colors';
import {Mine} from './mine';
import {Red} from './red';
import {Running} from './running';

interface Props {
    controller: PanelController;
    source: PanelSource;
}

// BuildsPanel is the right-hand sidebar's view of Buildbot for the channel shown: what runs and
// waits, which builders are red, the viewer's own builds, and the channel's subscriptions. It
// tells the controller it is open while drawn, which then keeps its answers fresh in the store.
export function BuildsPanel({controller, source}: Props) {
    const intl = useIntl();
    const panel = useSyncExternalStore(source.subscribe, source.get);

    useEffect(() => {
        controller.opened();
        return controller.closed;
    }, [controller]);

    const builds = panel.builds;
    return (
        <div
            role='region'
            aria-label={intl.formatMessage(messages.panelTitle)}
            style={{padding: '0 16px', color: colors.text, overflowY: 'auto', height: '100%', boxSizing: 'border-box'}}
        >
            {/* A refusal of the builds, the gate's word on this channel, stands for every section. */}
            <Read loaded={builds}>
                {(b) => (
                    <>
                        <Running
                            repos={b.repos}
                            onStop={controller.stop}
                        />
                        <Red red={b.red}/>
                        <Read loaded={panel.mine}>{(mine) => <Mine mine={mine}/>}</Read>
                        <Read loaded={panel.subscriptions}>
                            {(s) => (
                                <Channel
                                    subscriptions={s}
                                    onSubscribe={controller.subscribe}
                                    onUnsubscribe={controller.unsubscribe}
                                    branchesOf={controller.branches}
                                />
                            )}
                        </Read>
                    </>
                )}
            </Read>
        </div>
    );
}

// Read draws a route's answer once there is one; until then that it is being read, or the
// server's words for why it was not (ours when it gave none).
function Read<T>({loaded, children}: {loaded: Loaded<T>; children: (value: T) => ReactNode}) {
    const intl = useIntl();
    if (loaded.error !== null) {
        return <p role='alert' style={{margin: '12px 0', color: colors.error, overflowWrap: 'anywhere'}}>{loaded.error || intl.formatMessage(messages.panelNotRead)}</p>;
    }
    if (loaded.value === null) {
        return <p role='status' style={{margin: '12px 0', color: colors.secondary}}>{intl.formatMessage(messages.panelLoading)}</p>;
    }
    return children(loaded.value);
}
