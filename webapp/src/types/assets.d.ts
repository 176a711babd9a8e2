// webpack inlines an imported SVG file as a data: URL (webpack.config.js).
declare module '*.svg' {
    const url: string;
    export default url;
}
