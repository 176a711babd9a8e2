// The plugin's webapp bundle. React, ReactDOM, ReactIntl, Redux and ReactRedux come from the Mattermost webapp
// at run time, so they are externals and the bundle stays small.
const path = require('path');

module.exports = {
    entry: './src/index.tsx',
    resolve: {extensions: ['.ts', '.tsx', '.js']},
    module: {
        rules: [
            {test: /\.tsx?$/, exclude: /node_modules/, use: {loader: 'ts-loader', options: {onlyCompileBundledFiles: true}}},
            // The plugin's icon goes in the bundle as a data: URL: the server serves no file for it.
            {test: /\.svg$/, type: 'asset/inline'},
        ],
    },
    externals: {
        react: 'React',
        'react-dom': 'ReactDOM',
        'react-intl': 'ReactIntl',
        redux: 'Redux',
        'react-redux': 'ReactRedux',
        'prop-types': 'PropTypes',
    },
    output: {
        path: path.join(__dirname, 'dist'),
        filename: 'main.js',
    },
    devtool: false,
    performance: {hints: false},
};
