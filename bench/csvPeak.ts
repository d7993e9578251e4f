// Child process for the memory benchmark: reads one file and reports its own peak RSS, so each
// measurement starts from a fresh process.
import { pipelinePass } from './spendFile.js';

const rows = await pipelinePass(process.argv[2] as string);
process.stdout.write(JSON.stringify({ rows, maxRssKb: process.resourceUsage().maxRSS }));
