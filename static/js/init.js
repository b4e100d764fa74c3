// Starts GOV.UK Frontend's components. Pages work without it; it only enhances them.
import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();
