#!/usr/bin/env node
// Validates Adaptive Card JSON files with Microsoft's `adaptivecards` SDK (no DOM needed to
// parse). Each argument is a file holding a card, or a Teams message envelope
// ({"type":"message","attachments":[{"content": card}]}) whose cards are all checked.
// Teams' chart elements (Chart.*) are registered as known no-op elements; any other parse
// or validation event (unknown element, bad property value, …) is an error.
// Exit status: 0 when every card is clean, 1 with a readable list otherwise, 2 on bad usage.
"use strict";

const fs = require("fs");
const AC = require("adaptivecards/dist/adaptivecards.js");

const CHART_TYPES = [
  "Chart.Donut",
  "Chart.Pie",
  "Chart.Line",
  "Chart.Gauge",
  "Chart.VerticalBar",
  "Chart.VerticalBar.Grouped",
  "Chart.HorizontalBar",
  "Chart.HorizontalBar.Stacked",
];

function chartElement(typeName) {
  return class extends AC.CardElement {
    getJsonTypeName() {
      return typeName;
    }
    internalRender() {
      return undefined;
    }
  };
}

function registry() {
  const elements = new AC.CardObjectRegistry();
  AC.GlobalRegistry.populateWithDefaultElements(elements);
  for (const t of CHART_TYPES) {
    elements.register(t, chartElement(t), AC.Versions.v1_5);
  }
  const actions = new AC.CardObjectRegistry();
  AC.GlobalRegistry.populateWithDefaultActions(actions);
  return { elements, actions };
}

function cardsIn(json) {
  if (json && json.type === "message" && Array.isArray(json.attachments)) {
    return json.attachments.map((a, i) => {
      if (a.contentType !== "application/vnd.microsoft.card.adaptive") {
        throw new Error(`attachment ${i}: contentType ${JSON.stringify(a.contentType)}`);
      }
      return a.content;
    });
  }
  return [json];
}

function problemsOf(card) {
  const problems = [];
  if (card.type !== "AdaptiveCard") problems.push(`type is ${JSON.stringify(card.type)}`);
  if (card.version !== "1.5") problems.push(`version is ${JSON.stringify(card.version)}, not "1.5"`);
  const { elements, actions } = registry();
  const ctx = new AC.SerializationContext();
  ctx.setElementRegistry(elements);
  ctx.setActionRegistry(actions);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    problems.push(`parse: ${ctx.getEventAt(i).message}`);
  }
  const results = parsed.validateProperties();
  for (const e of results.validationEvents) {
    problems.push(`validate: ${e.message}`);
  }
  return problems;
}

function main(files) {
  if (files.length === 0) {
    console.error("usage: validate-cards.js <card.json>...");
    return 2;
  }
  let bad = 0;
  for (const file of files) {
    let problems;
    try {
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      problems = cardsIn(json).flatMap((c, i) => problemsOf(c).map((p) => `card ${i}: ${p}`));
    } catch (e) {
      problems = [String(e && e.message ? e.message : e)];
    }
    if (problems.length > 0) {
      bad += 1;
      console.error(`${file}:`);
      for (const p of problems) console.error(`  - ${p}`);
    } else {
      console.log(`ok ${file}`);
    }
  }
  if (bad > 0) {
    console.error(`${bad} of ${files.length} card file(s) have problems`);
    return 1;
  }
  return 0;
}

process.exit(main(process.argv.slice(2)));
