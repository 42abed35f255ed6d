import { createHash } from "node:crypto";

/** The contract's `patient` JSON shape. */
export interface PatientRecord {
  id: string;
  userId: string;
  name: string;
  email: string;
  dateOfBirth: string | null;
  sex: string | null;
  phone: string | null;
  address: string | null;
  insurance: { planId: "none" | "basic" | "plus" | "premium"; memberId: string | null };
  allergies: string[];
  conditions: string[];
  medications: string[];
  version: number;
}

/** The contract's `labResult` JSON shape. */
export interface LabResultRecord {
  id: string;
  reportId: string;
  patientId: string;
  collectedAt: string;
  receivedAt: string;
  analytes: Array<{
    name: string;
    value: number;
    unit: string;
    refLow: number | null;
    refHigh: number | null;
    flag: "L" | "N" | "H";
  }>;
}

interface Coding {
  system?: string;
  code?: string;
  display?: string;
}
interface CodeableConcept {
  coding?: Coding[];
  text?: string;
}
interface Quantity {
  value: number;
  unit?: string;
  system?: string;
  code?: string;
}
type Reference = { reference: string; display?: string };

/** FHIR R4 Patient, as produced here. */
export interface FhirPatient {
  resourceType: "Patient";
  id: string;
  identifier: Array<{ system: string; value: string }>;
  active: true;
  name: Array<{ text: string }>;
  telecom: Array<{ system: "email" | "phone"; value: string }>;
  gender?: "male" | "female" | "other" | "unknown";
  birthDate?: string;
  address?: Array<{ text: string }>;
}

/** FHIR R4 Observation (one analyte), as produced here. */
export interface FhirObservation {
  resourceType: "Observation";
  id: string;
  status: "final";
  category: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  effectiveDateTime: string;
  issued: string;
  valueQuantity: Quantity;
  interpretation: CodeableConcept[];
  referenceRange?: Array<{ low?: Quantity; high?: Quantity; text: string }>;
}

/** FHIR R4 DiagnosticReport (one lab result), as produced here. */
export interface FhirDiagnosticReport {
  resourceType: "DiagnosticReport";
  id: string;
  identifier: Array<{ system: string; value: string }>;
  status: "final";
  category: CodeableConcept[];
  code: CodeableConcept;
  subject: Reference;
  effectiveDateTime: string;
  issued: string;
  result: Reference[];
}

/** A FHIR R4 Bundle of type `collection`. */
export interface FhirBundle {
  resourceType: "Bundle";
  type: "collection";
  timestamp?: string;
  entry: Array<{ fullUrl: string; resource: FhirPatient | FhirObservation | FhirDiagnosticReport }>;
}

const LOINC = "http://loinc.org";
const UCUM = "http://unitsofmeasure.org";
const INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
const ID_SYSTEM = "https://carebridge.dev/fhir/identifier";

/** What a UCUM unit measures; a LOINC code is only right for units of its property. */
type Property = "mass" | "substance" | "catalytic" | "count" | "arbitrary" | "fraction";

/** Lab report unit spellings → UCUM code and property. */
const UNITS: Record<string, { ucum: string; property: Property }> = {};
const unit = (property: Property, ucum: string, ...spellings: string[]) => {
  for (const s of [ucum, ...spellings]) UNITS[s.toLowerCase()] = { ucum, property };
};
unit("mass", "g/dL");
unit("mass", "g/L");
unit("mass", "mg/dL");
unit("mass", "mg/L");
unit("mass", "ug/dL", "µg/dL", "mcg/dL");
unit("mass", "ug/L", "µg/L", "mcg/L");
unit("mass", "ng/mL");
unit("mass", "ng/dL");
unit("mass", "pg/mL");
unit("substance", "mmol/L");
unit("substance", "umol/L", "µmol/L");
unit("substance", "nmol/L");
unit("substance", "pmol/L");
unit("substance", "meq/L", "mEq/L");
unit("catalytic", "U/L", "IU/L");
unit("count", "10*3/uL", "10^3/uL", "x10^3/uL", "10^3/µL", "K/uL", "10*3/µL");
unit("count", "10*9/L", "10^9/L", "x10^9/L", "G/L");
unit("count", "10*6/uL", "10^6/uL", "x10^6/uL", "M/uL");
unit("count", "10*12/L", "10^12/L", "x10^12/L", "T/L");
unit("arbitrary", "m[IU]/L", "mIU/L");
unit("arbitrary", "u[IU]/mL", "µIU/mL", "uIU/mL");
unit("fraction", "%");

/**
 * Common analytes: normalised name aliases | per unit property, the LOINC code and display
 * (`property code display`, several separated by ` ; `).
 */
const ANALYTE_TABLE = `
hemoglobin, haemoglobin, hgb, hb | mass 718-7 Hemoglobin [Mass/volume] in Blood
glucose fasting, fasting glucose, glucose fasting plasma | mass 1558-6 Fasting glucose [Mass/volume] in Serum or Plasma ; substance 14771-0 Fasting glucose [Moles/volume] in Serum or Plasma
glucose | mass 2345-7 Glucose [Mass/volume] in Serum or Plasma ; substance 15074-8 Glucose [Moles/volume] in Blood
potassium, k | substance 2823-3 Potassium [Moles/volume] in Serum or Plasma
sodium, na | substance 2951-2 Sodium [Moles/volume] in Serum or Plasma
chloride, cl | substance 2075-0 Chloride [Moles/volume] in Serum or Plasma
calcium, ca | mass 17861-6 Calcium [Mass/volume] in Serum or Plasma
creatinine | mass 2160-0 Creatinine [Mass/volume] in Serum or Plasma ; substance 14682-9 Creatinine [Moles/volume] in Serum or Plasma
urea nitrogen, bun, blood urea nitrogen | mass 3094-0 Urea nitrogen [Mass/volume] in Serum or Plasma
vitamin d, vitamin d 25 oh, 25 oh vitamin d, 25 hydroxyvitamin d, vitamin d 25 hydroxy | mass 1989-3 25-Hydroxyvitamin D3+25-Hydroxyvitamin D2 [Mass/volume] in Serum or Plasma ; substance 62292-8 25-Hydroxyvitamin D2+25-Hydroxyvitamin D3 [Moles/volume] in Serum or Plasma
vitamin b12, cobalamin | mass 2132-9 Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma
cholesterol, total cholesterol, cholesterol total | mass 2093-3 Cholesterol [Mass/volume] in Serum or Plasma ; substance 14647-2 Cholesterol [Moles/volume] in Serum or Plasma
hdl, hdl cholesterol, cholesterol hdl | mass 2085-9 Cholesterol in HDL [Mass/volume] in Serum or Plasma ; substance 14646-4 Cholesterol in HDL [Moles/volume] in Serum or Plasma
ldl, ldl cholesterol, cholesterol ldl, ldl calculated | mass 13457-7 Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation ; substance 22748-8 Cholesterol in LDL [Moles/volume] in Serum or Plasma
triglycerides, triglyceride | mass 2571-8 Triglyceride [Mass/volume] in Serum or Plasma ; substance 14927-8 Triglyceride [Moles/volume] in Serum or Plasma
tsh, thyrotropin, thyroid stimulating hormone | arbitrary 3016-3 Thyrotropin [Units/volume] in Serum or Plasma
free t4, t4 free, ft4 | mass 3024-7 Thyroxine (T4) free [Mass/volume] in Serum or Plasma
hba1c, hemoglobin a1c, a1c, glycated hemoglobin | fraction 4548-4 Hemoglobin A1c/Hemoglobin.total in Blood
alt, alanine aminotransferase, alt sgpt, sgpt | catalytic 1742-6 Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma
ast, aspartate aminotransferase, ast sgot, sgot | catalytic 1920-8 Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma
alkaline phosphatase, alp | catalytic 6768-6 Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma
ggt, gamma glutamyl transferase | catalytic 2324-2 Gamma glutamyl transferase [Enzymatic activity/volume] in Serum or Plasma
bilirubin, total bilirubin, bilirubin total | mass 1975-2 Bilirubin.total [Mass/volume] in Serum or Plasma
albumin | mass 1751-7 Albumin [Mass/volume] in Serum or Plasma
crp, c reactive protein | mass 1988-5 C reactive protein [Mass/volume] in Serum or Plasma
ferritin | mass 2276-4 Ferritin [Mass/volume] in Serum or Plasma
wbc, white blood cells, leukocytes, white blood cell count | count 6690-2 Leukocytes [#/volume] in Blood by Automated count
rbc, red blood cells, erythrocytes, red blood cell count | count 789-8 Erythrocytes [#/volume] in Blood by Automated count
platelets, platelet count, plt | count 777-3 Platelets [#/volume] in Blood by Automated count
hematocrit, haematocrit, hct | fraction 4544-3 Hematocrit [Volume Fraction] of Blood by Automated count
`;

type Code = [code: string, display: string];
const BY_NAME = new Map<string, Partial<Record<Property, Code>>>();
for (const row of ANALYTE_TABLE.trim().split("\n")) {
  const [names = "", codes = ""] = row.split(" | ");
  const byProperty: Partial<Record<Property, Code>> = {};
  for (const entry of codes.split(" ; ")) {
    const [property, code, ...display] = entry.split(" ");
    byProperty[property as Property] = [code!, display.join(" ")];
  }
  for (const name of names.split(", ")) BY_NAME.set(name, byProperty);
}

const normalise = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** The LOINC coding for an analyte when its name and unit are known; null → text-only code. */
export function loincFor(name: string, unitText: string): Coding | null {
  const codes = BY_NAME.get(normalise(name));
  const property = UNITS[unitText.toLowerCase()]?.property;
  const code = codes && property ? codes[property] : undefined;
  return code ? { system: LOINC, code: code[0], display: code[1] } : null;
}

function quantity(value: number, unitText: string): Quantity {
  const ucum = UNITS[unitText.toLowerCase()]?.ucum;
  if (ucum) return { value, unit: unitText, system: UCUM, code: ucum };
  return unitText ? { value, unit: unitText } : { value };
}

/** A stable UUID (v5 layout, SHA-1) from a name: the same lab result always yields the same ids. */
function stableUuid(name: string): string {
  const h = createHash("sha1").update(`carebridge:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const FLAG: Record<"L" | "N" | "H", Coding> = {
  L: { system: INTERPRETATION, code: "L", display: "Low" },
  N: { system: INTERPRETATION, code: "N", display: "Normal" },
  H: { system: INTERPRETATION, code: "H", display: "High" },
};

const GENDERS: Record<string, FhirPatient["gender"]> = {
  ...{ male: "male", m: "male", female: "female", f: "female" },
  ...{ other: "other", unknown: "unknown" },
};

const OBSERVATION_CATEGORY: CodeableConcept = {
  coding: [
    {
      system: "http://terminology.hl7.org/CodeSystem/observation-category",
      code: "laboratory",
      display: "Laboratory",
    },
  ],
};
const REPORT_CATEGORY: CodeableConcept = {
  coding: [{ system: "http://terminology.hl7.org/CodeSystem/v2-0074", code: "LAB", display: "Laboratory" }],
};
const REPORT_CODE: CodeableConcept = {
  coding: [{ system: LOINC, code: "11502-2", display: "Laboratory report" }],
  text: "Lab report",
};

function toPatient(p: PatientRecord): FhirPatient {
  const gender = p.sex ? GENDERS[p.sex.trim().toLowerCase()] : undefined;
  return {
    resourceType: "Patient",
    id: p.id,
    identifier: [{ system: `${ID_SYSTEM}/patient`, value: p.id }],
    active: true,
    name: [{ text: p.name }],
    telecom: [
      { system: "email", value: p.email },
      ...(p.phone ? [{ system: "phone" as const, value: p.phone }] : []),
    ],
    ...(gender ? { gender } : {}),
    ...(p.dateOfBirth && /^\d{4}-\d{2}-\d{2}$/.test(p.dateOfBirth) ? { birthDate: p.dateOfBirth } : {}),
    ...(p.address ? { address: [{ text: p.address }] } : {}),
  };
}

function rangeOf(a: LabResultRecord["analytes"][number]): FhirObservation["referenceRange"] {
  if (a.refLow === null && a.refHigh === null) return undefined;
  const text =
    a.refLow !== null && a.refHigh !== null
      ? `${a.refLow}-${a.refHigh}`
      : a.refHigh !== null
        ? `<${a.refHigh}`
        : `>${a.refLow}`;
  return [
    {
      ...(a.refLow !== null ? { low: quantity(a.refLow, a.unit) } : {}),
      ...(a.refHigh !== null ? { high: quantity(a.refHigh, a.unit) } : {}),
      text: a.unit ? `${text} ${a.unit}` : text,
    },
  ];
}

/**
 * A FHIR R4 `collection` Bundle of the patient, one Observation per analyte (LOINC + UCUM where the
 * analyte and unit are known, text-only otherwise; reference range; H/L/N interpretation) and one
 * DiagnosticReport per lab result referencing its Observations. Ids are stable across calls.
 */
export function toFhirBundle(input: {
  patient: PatientRecord;
  labResults: LabResultRecord[];
  /** When the bundle was assembled (RFC 3339); omitted → `timestamp` left out. */
  generatedAt?: string;
}): FhirBundle {
  const { patient, labResults } = input;
  const subject: Reference = { reference: `urn:uuid:${patient.id}`, display: patient.name };
  const entry: FhirBundle["entry"] = [{ fullUrl: `urn:uuid:${patient.id}`, resource: toPatient(patient) }];
  for (const result of labResults) {
    const observations = result.analytes.map((a, index): FhirObservation => {
      const loinc = loincFor(a.name, a.unit);
      const range = rangeOf(a);
      return {
        resourceType: "Observation",
        id: stableUuid(`${result.id}/observation/${index}`),
        status: "final",
        category: [OBSERVATION_CATEGORY],
        code: loinc ? { coding: [loinc], text: a.name } : { text: a.name },
        subject,
        effectiveDateTime: result.collectedAt,
        issued: result.receivedAt,
        valueQuantity: quantity(a.value, a.unit),
        interpretation: [{ coding: [FLAG[a.flag]], text: FLAG[a.flag].display }],
        ...(range ? { referenceRange: range } : {}),
      };
    });
    for (const o of observations) entry.push({ fullUrl: `urn:uuid:${o.id}`, resource: o });
    entry.push({
      fullUrl: `urn:uuid:${result.id}`,
      resource: {
        resourceType: "DiagnosticReport",
        id: result.id,
        identifier: [{ system: `${ID_SYSTEM}/lab-report`, value: result.reportId }],
        status: "final",
        category: [REPORT_CATEGORY],
        code: REPORT_CODE,
        subject,
        effectiveDateTime: result.collectedAt,
        issued: result.receivedAt,
        result: observations.map((o) => ({ reference: `urn:uuid:${o.id}`, display: o.code.text ?? "" })),
      },
    });
  }
  return {
    resourceType: "Bundle",
    type: "collection",
    ...(input.generatedAt ? { timestamp: input.generatedAt } : {}),
    entry,
  };
}
