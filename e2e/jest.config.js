// The e2e suite drives real servers: one test file at a time, with room for builds to run.
module.exports = {
    testEnvironment: 'node',
    roots: ['<rootDir>/tests'],
    transform: {'^.+\\.ts$': ['ts-jest', {tsconfig: '<rootDir>/tsconfig.json'}]},
    testTimeout: 120000,
    verbose: true,
    // The suite ends with idle keep-alive sockets to the servers, which can hold Jest open for
    // minutes after the last test; the tests themselves close what they open.
    forceExit: true,
};
