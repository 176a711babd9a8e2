// What an imported SVG file is in the unit tests, which do not run webpack.
export default 'data:image/svg+xml;base64,PHN2Zy8+';
