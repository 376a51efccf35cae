/**
 * What a report carries inside itself, embedded in the binary: Chart.js and its word-cloud
 * controller (UMD builds, run from inline scripts) and Noto Sans KR (the Korean and Latin woff2
 * subsets of @fontsource/noto-sans-kr, SIL OFL), so the page needs no network and draws Hangul
 * even where no Korean font is installed. The packages' export maps do not list these builds,
 * hence the paths into node_modules.
 */

import korean from "../../node_modules/@fontsource/noto-sans-kr/files/noto-sans-kr-korean-400-normal.woff2" with {
  type: "file",
};
import latin from "../../node_modules/@fontsource/noto-sans-kr/files/noto-sans-kr-latin-400-normal.woff2" with {
  type: "file",
};
import chartJs from "../../node_modules/chart.js/dist/chart.umd.min.js" with { type: "text" };
import wordCloud from "../../node_modules/chartjs-chart-wordcloud/build/index.umd.min.js" with {
  type: "text",
};

export const scripts: readonly string[] = [chartJs, wordCloud];

/** The font files as base64, for `url(data:font/woff2;base64,…)`. */
export async function fontFaces(): Promise<{ latin: string; korean: string }> {
  const base64 = async (path: string) => Buffer.from(await Bun.file(path).arrayBuffer()).toString("base64");
  return { latin: await base64(latin), korean: await base64(korean) };
}
