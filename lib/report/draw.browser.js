// Runs in the report page (inline, after Chart.js and its word-cloud controller): draws the
// charts from the page's embedded data once the embedded font is loaded, since a canvas draws
// with whatever font is ready at that moment. Sets <body data-ready> when done.
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const family = "'Noto Sans KR', sans-serif";
  const ink = "#2b6cb0";
  Chart.defaults.font.family = family;
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.plugins.legend.display = false;

  const chart = (id, config) => new Chart(document.getElementById(id), config);
  const bars = (id, entries, label) =>
    chart(id, {
      type: "bar",
      data: {
        labels: entries.map((e) => e.key),
        datasets: [{ label, data: entries.map((e) => e.count), backgroundColor: ink }],
      },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
    });

  function draw() {
    const points = data.timeline.points;
    chart("chart-timeline", {
      type: points.length > 200 ? "line" : "bar",
      data: {
        labels: points.map((p) => p[0]),
        datasets: [
          {
            label: `messages per ${data.timeline.unit}`,
            data: points.map((p) => p[1]),
            backgroundColor: ink,
            borderColor: ink,
            pointRadius: 0,
          },
        ],
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
    });
    bars("chart-senders", data.users, "messages");
    bars(
      "chart-rooms",
      data.rooms.map((r) => ({ key: r.room ?? "(no room)", count: r.messages })),
      "messages",
    );
    const top = data.words[0]?.count ?? 1;
    chart("chart-words", {
      type: "wordCloud",
      data: {
        labels: data.words.map((w) => w.key),
        datasets: [
          {
            label: "uses",
            data: data.words.map((w) => 12 + 52 * Math.sqrt(w.count / top)),
            color: data.words.map((_, i) => ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280"][i % 5]),
            // Mostly horizontal, a few upright; the same layout every time the page opens.
            rotationSteps: 2,
            minRotation: 0,
            maxRotation: 90,
            randomRotationSeed: "dchat",
            padding: 2,
            fit: true,
          },
        ],
      },
      options: { plugins: { tooltip: { enabled: false } } },
    });
    document.body.dataset.ready = "true";
  }

  document.fonts.load(`16px ${family}`, "가A").then(draw, draw);
})();
