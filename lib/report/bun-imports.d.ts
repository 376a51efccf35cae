// Bun's import attributes: `with { type: "text" }` gives a file's text, `{ type: "file" }` a path
// that also works inside the compiled binary. TypeScript knows neither, so these say what they give.
declare module "*.umd.min.js" {
  const text: string;
  export default text;
}
declare module "*.woff2" {
  const path: string;
  export default path;
}
declare module "*.browser.js" {
  const text: string;
  export default text;
}
