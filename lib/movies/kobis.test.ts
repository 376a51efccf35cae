import { expect, test } from "bun:test";
import { pageUrl, readPage } from "./kobis.ts";

test("a page is movieListResult's totCnt and movieList", () => {
  const body = JSON.stringify({
    movieListResult: { totCnt: 2, source: "영화진흥위원회", movieList: [{ movieCd: "1" }] },
  });
  expect(readPage(200, body)).toEqual({ totCnt: 2, movies: [{ movieCd: "1" }] });
});

test.each([
  [
    200,
    "<html><title>점검 중</title></html>",
    'the API answered with an HTML page (HTTP 200: "점검 중") instead of a movie list',
    false,
  ],
  [503, "", "the API answered with nothing (HTTP 503) instead of a movie list", true],
  [
    200,
    '{"faultInfo":{"message":"유효하지않은 키값입니다.","errorCode":"320010"}}',
    "the API refused the call: 유효하지않은 키값입니다. (error 320010, HTTP 200)",
    false,
  ],
  [
    200,
    '{"movieListResult":{"totCnt":"x"}}',
    "the API answered JSON without movieListResult.totCnt and movieListResult.movieList",
    false,
  ],
  [
    200,
    "\u001b[2Jhello",
    'the API answered with text that is not JSON (HTTP 200: "[2Jhello") instead of a movie list',
    false,
  ],
])("HTTP %d %j is one line: %s", (status, body, problem, retry) => {
  expect(readPage(status, body)).toEqual({ problem, retry });
});

test("the request carries the key, the page, 100 a page and the filters", () => {
  const url = new URL(pageUrl("http://h/x.json?a=1", "K", 3, { prdtStartYear: "2019", openEndDt: "2020" }));
  expect(Object.fromEntries(url.searchParams)).toEqual({
    a: "1",
    key: "K",
    curPage: "3",
    itemPerPage: "100",
    prdtStartYear: "2019",
    openEndDt: "2020",
  });
});
