import { describe, expect, test } from "bun:test";
import { type Movie, movieDb, moviesFromJson } from "./movies.ts";
import { parseQuestion } from "./query.ts";
import { EMPTY_REPLY, MALFORMED_REPLY, replyTo } from "./reply.ts";

const fixture = (name: string) => new URL(`../../test/fixtures/kobis/${name}`, import.meta.url).pathname;

function dbOf(json: unknown) {
  const movies = moviesFromJson(json);
  if (typeof movies === "string") throw new Error(movies);
  return movieDb(movies);
}

const flat = dbOf(await Bun.file(fixture("flatmovieList.json")).json());
const nested = dbOf(await Bun.file(fixture("movieList.json")).json());

function ask(message: string, db = flat): string {
  const question = parseQuestion(message);
  if (question === undefined) throw new Error(`not a question: ${message}`);
  return replyTo(question, db);
}

describe("question → answer table (fixtures)", () => {
  test.each([
    ["@bot 기생수 파트2 | 감독", "기생수 파트2를 만든 감독의 이름은 야마자키 타카시 입니다."],
    ["@봇 기생수 파트2|장르", "기생수 파트2의 장르는 SF, 스릴러 입니다."],
    ["@bot   고시원   |  제작년도", "고시원의 제작년도는 2015 입니다."],
    ["@bot 고시원 | director", "고시원을 만든 감독의 이름은 이영민 입니다."],
    ["@bot PARASYTE: PART 1 | year", "기생수 파트1의 제작년도는 2014 입니다."],
    ["@bot 섹스  인 더 게임 | 감독", "섹스 인 더 게임을 만든 감독의 이름은 신성진 입니다."],
  ])("%s", (message, expected) => {
    expect(ask(message)).toBe(expected);
    expect(ask(message, nested)).toBe(expected);
  });
});

describe("every reply path", () => {
  test("a title shared by several movies names each with its year", () => {
    expect(ask("@bot 휴가 | 감독")).toBe(
      "휴가(2016)를 만든 감독의 이름은 이수성 입니다. 휴가(2020)를 만든 감독의 이름은 이란희 입니다.",
    );
  });
  test("no director on record is said, not printed empty", () => {
    expect(ask("@bot 킬링 오브 투 러버스 | 감독")).toBe(
      "킬링 오브 투 러버스의 감독 정보가 등록되어 있지 않습니다.",
    );
  });
  test("no genre on record", () => {
    expect(ask("@bot 사위 사랑은 장모 4 | 장르")).toBe(
      "사위 사랑은 장모 4의 장르 정보가 등록되어 있지 않습니다.",
    );
  });
  test("unknown title with close titles (jamo typo, prefix)", () => {
    expect(ask("@bot 기생슈 파트2 | 감독")).toBe(
      "기생슈 파트2에 대한 감독 정보를 찾을 수 없습니다. 혹시 이 영화를 찾으셨나요? 기생수 파트2, 기생수 파트1",
    );
  });
  test("unknown title with nothing close", () => {
    expect(ask("@bot 쀍쀍쀍쀍쀍 | 장르")).toBe("쀍쀍쀍쀍쀍에 대한 장르 정보를 찾을 수 없습니다.");
  });
  test("wrong format and unknown field", () => {
    expect(ask("@bot 기생수 파트2")).toBe(MALFORMED_REPLY);
    expect(ask("@bot 기생수 파트2 | 배우")).toBe(MALFORMED_REPLY);
    expect(MALFORMED_REPLY).toBe(
      "잘못된 형식입니다. '@bot 영화이름|<감독/장르/제작년도>' 형식으로 입력해주세요.",
    );
  });
  test("nothing after the trigger", () => {
    expect(ask("@봇")).toBe(EMPTY_REPLY);
    expect(EMPTY_REPLY.startsWith("명령을 인식할 수 없습니다.")).toBe(true);
  });
  test("echoed text is terminal-safe and bounded", () => {
    const reply = ask(`@bot \u001b]0;pwned\u0007${"가".repeat(500)} | 감독`);
    expect(reply).not.toContain("\u001b");
    expect(reply).not.toContain("\u0007");
    expect(reply.length).toBeLessThan(200);
  });
  test("database values are terminal-safe too", () => {
    const evil: Movie = {
      code: "1",
      title: "악\u001b[2J",
      titleEn: "",
      year: "2000",
      genres: [],
      directors: ["x\u001b[H"],
    };
    const reply = replyTo({ kind: "ask", title: "악\u001b[2J", field: "director" }, movieDb([evil]));
    expect(reply).not.toContain("\u001b");
  });
});
