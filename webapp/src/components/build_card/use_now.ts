import {useEffect, useState} from 'react';

// useNow is the current time in epoch seconds, ticking every second while active, so a running
// build's duration moves without asking the server.
export function useNow(active: boolean): number {
    const [now, setNow] = useState(() => Date.now() / 1000);
    useEffect(() => {
        if (!active) {
            return undefined;
        }
        const timer = window.setInterval(() => setNow(Date.now() / 1000), 1000);
        return () => window.clearInterval(timer);
    }, [active]);
    return now;
}
