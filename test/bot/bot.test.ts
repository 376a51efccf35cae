/**
 * `dchat bot` against the real broker: every reply path with the flattened KOBIS fixture,
 * rooms created after start, bots/notices/leaves/malformed records ignored, the rate limit,
 * starting at the end of existing rooms, and a clean SIGTERM.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { roomToTopic } from "../../lib/rooms.ts";
import { encode, joinRecord } from "../../lib/wire.ts";
import { answersWhen, BotProcess, createRoom, type RoomRecord, say, useTestBed } from "./support.ts";

const fixtures = join(import.meta.dir, "..", "fixtures", "kobis");
const FORMAT = "'@bot 영화이름|<감독/장르/제작년도>' 형식으로 입력해주세요.";

const bed = useTestBed();
const { created } = bed;

function byQuestion(answers: RoomRecord[]): Map<string, string> {
  return new Map(answers.map((a) => [a.replyTo ?? "", a.message]));
}

test("answers every reply path once, ignores what it must, serves a room created later, stops on SIGTERM", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const roomA = `bot-a-${id}`;
  const roomB = `봇방-${id}`;
  const topicB = roomToTopic(roomB) as string;
  created.push(roomA, topicB);
  await createRoom(bed.kafka, roomA);
  await say(bed.producer, roomA, "old", "@bot 고시원 | 감독"); // history before the first start: not answered

  const bot = new BotProcess(bed.brokers, [
    "--room-pattern",
    `^(bot-a|봇방)-${id}$`,
    "--movies",
    join(fixtures, "flatmovieList.json"),
    "--group",
    `bot-test-${id}`,
    "--rescan",
    "1",
  ]);
  try {
    await bot.serving(roomA);
    const asked: [sender: string, message: string, answer: string | undefined][] = [
      ["kim", "@bot 기생수 파트2 | 감독", "기생수 파트2를 만든 감독의 이름은 야마자키 타카시 입니다."],
      ["[bot]", "@bot 고시원 | 감독", undefined],
      ["lee", "@봇 고시원|장르", "고시원의 장르는 멜로/로맨스, 드라마 입니다."],
      ["park", "@bot   섹스  인 더 게임   |  제작년도", "섹스 인 더 게임의 제작년도는 2017 입니다."],
      ["[INFO]", "@bot 고시원 | 감독", undefined],
      [
        "choi",
        "@bot 휴가 | director",
        "휴가(2016)를 만든 감독의 이름은 이수성 입니다. 휴가(2020)를 만든 감독의 이름은 이란희 입니다.",
      ],
      ["jung", "@bot 킬링 오브 투 러버스|감독", "킬링 오브 투 러버스의 감독 정보가 등록되어 있지 않습니다."],
      ["chatter", "안녕하세요 다들", undefined],
      [
        "kang",
        "@bot 기생슈 파트2 | 감독",
        "기생슈 파트2에 대한 감독 정보를 찾을 수 없습니다. 혹시 이 영화를 찾으셨나요? 기생수 파트2, 기생수 파트1",
      ],
      ["yoon", "@bot 기생수 파트2", `잘못된 형식입니다. ${FORMAT}`],
      ["jang", "@bot 기생수 파트2 | 배우", `잘못된 형식입니다. ${FORMAT}`],
      ["lim", "@봇", `명령을 인식할 수 없습니다. ${FORMAT}`],
    ];
    for (const [sender, message] of asked) await say(bed.producer, roomA, sender, message);
    await say(bed.producer, roomA, "han", "@bot 고시원 | 감독", { end: true });
    await bed.producer.send({
      topic: roomA,
      messages: [
        { value: Buffer.from("not json {") },
        { value: Buffer.from([0xff, 0xfe, 0x40]) },
        { value: encode(joinRecord("@bot 고시원|감독", new Date())) },
      ],
    });
    await say(bed.producer, roomA, "oh", "@bot 고시원 | 제작년도");

    // Room B appears while the bot runs; its first question is asked before the bot can know it.
    await createRoom(bed.kafka, topicB);
    await say(bed.producer, topicB, "min", "@bot 기생수 파트1 | 제작년도");
    for (let i = 0; i < 7; i++) await say(bed.producer, topicB, "flood", "@bot 고시원 | 감독");
    await say(bed.producer, topicB, "last", "@bot 고시원 | 장르");

    // Sentinels, asked last: once they are answered (read_committed), every answer before them
    // in the room is final, so anything extra (a second answer, an answer to history) shows.
    const SENTINEL = "@bot 고시원 | 제작년도";
    const sentinels = [
      await say(bed.producer, roomA, "sentinel", SENTINEL),
      await say(bed.producer, topicB, "sentinel", SENTINEL),
    ];
    const sentinelAnswered = (answers: RoomRecord[]) =>
      answers.some((a) => sentinels.includes(a.replyTo ?? ""));
    const expectedA = [
      ...asked.filter(([, , answer]) => answer !== undefined).map(([, , a]) => a),
      "고시원의 제작년도는 2015 입니다.",
      "고시원의 제작년도는 2015 입니다.",
    ];
    const finalA = await answersWhen(bed.brokers, roomA, sentinelAnswered);
    expect(finalA.map((a) => a.message)).toEqual(expectedA as string[]);
    expect(new Set(finalA.map((a) => a.replyTo)).size).toBe(finalA.length);
    expect(byQuestion(finalA).has(`${roomA}/0/0`)).toBe(false);

    const finalB = await answersWhen(bed.brokers, topicB, sentinelAnswered);
    expect(finalB.map((a) => a.message)).toEqual([
      "기생수 파트1의 제작년도는 2014 입니다.",
      ...Array(5).fill("고시원을 만든 감독의 이름은 이영민 입니다."),
      "flood님, 질문이 너무 많습니다. 잠시 후 다시 물어봐 주세요.",
      "고시원의 장르는 멜로/로맨스, 드라마 입니다.",
      "고시원의 제작년도는 2015 입니다.",
    ]);

    const started = Date.now();
    const code = await bot.stop();
    expect(code).toBe(0);
    const stop = bot.logs.find((l) => l.event === "stop");
    expect(stop?.malformed).toBe(2);
    expect(stop?.answered).toBe(expectedA.length + 9);
    expect(bot.logs.filter((l) => l.event === "malformed").map((l) => l.problem)).toEqual([
      "not-json",
      "invalid-utf8",
    ]);
    expect(bot.logs.every((l) => typeof l.time === "string" && typeof l.level === "string")).toBe(true);
    console.log(`SIGTERM → exit ${code} after ${Date.now() - started} ms`);
  } finally {
    bot.proc.kill("SIGKILL");
    await bot.exited;
  }
});

test("the nested KOBIS shape answers the same questions", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-n-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const bot = new BotProcess(bed.brokers, [
    "--rooms",
    room,
    "--movies",
    join(fixtures, "movieList.json"),
    "--group",
    `bot-test-${id}`,
  ]);
  try {
    await bot.serving(room);
    await say(bed.producer, room, "kim", "@bot 기생수 파트2 | 장르");
    await say(bed.producer, room, "lee", "@bot parasyte: part 1 | year");
    await say(bed.producer, room, "park", "@bot 고시원 | 감독");
    const answers = await answersWhen(bed.brokers, room, (a) => a.length >= 3);
    expect(answers.map((a) => a.message)).toEqual([
      "기생수 파트2의 장르는 SF, 스릴러 입니다.",
      "기생수 파트1의 제작년도는 2014 입니다.",
      "고시원을 만든 감독의 이름은 이영민 입니다.",
    ]);
  } finally {
    bot.proc.kill("SIGTERM");
  }
  expect(await bot.exited).toBe(0);
});

test("the built-in movie list answers without --movies", async () => {
  const id = crypto.randomUUID().slice(0, 8);
  const room = `bot-d-${id}`;
  created.push(room);
  await createRoom(bed.kafka, room);
  const bot = new BotProcess(bed.brokers, ["--rooms", room, "--group", `bot-test-${id}`]);
  try {
    await bot.serving(room);
    await say(bed.producer, room, "kim", "@bot 기생충 | 감독");
    await say(bed.producer, room, "lee", "@봇 괴물 | 제작년도");
    const answers = await answersWhen(bed.brokers, room, (a) => a.length >= 2);
    expect(answers.map((a) => a.message)).toEqual([
      "기생충을 만든 감독의 이름은 봉준호 입니다.",
      "괴물(2006)의 제작년도는 2006 입니다. 괴물(2023)의 제작년도는 2023 입니다.",
    ]);
  } finally {
    bot.proc.kill("SIGTERM");
  }
  expect(await bot.exited).toBe(0);
});

test("a missing or malformed --movies file is one clear line and exit 1", async () => {
  const missing = new BotProcess(bed.brokers, ["--movies", "/nonexistent/movies.json"]);
  expect(await missing.exited).toBe(1);
  expect(missing.stderr).toHaveLength(1);
  expect(missing.stderr[0]).toContain("movie file not found: /nonexistent/movies.json");
  const broken = new BotProcess(bed.brokers, ["--movies", join(import.meta.dir, "support.ts")]);
  expect(await broken.exited).toBe(1);
  expect(broken.stderr).toHaveLength(1);
  expect(broken.stderr[0]).toContain("is not valid JSON");
});

test("bad flags are usage errors (exit 2), one line each", async () => {
  for (const args of [
    ["--rate-limit", "lots"],
    ["--log-level", "verbose"],
    ["--rooms", "a", "--room-pattern", "b"],
    ["--room-pattern", "(unclosed"],
    ["--rescan", "0"],
    ["--no-such-flag"],
    ["stray"],
  ]) {
    const bot = new BotProcess(bed.brokers, args);
    expect(await bot.exited).toBe(2);
    expect(bot.stderr).toHaveLength(1);
    expect(bot.stderr[0]).toStartWith("dchat bot: ");
  }
});
