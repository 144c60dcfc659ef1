"""The GraphQL documents sent to démarches-simplifiées (API v2). They are plain text: the
client never parses GraphQL. The tests validate every one of them against the published
schema (``tests/ds/ds_schema.graphql``, state of 2026-01-15)."""

from __future__ import annotations

#: What one dossier brings: its identity and state, the applicant's SIRET and legal form,
#: every public champ by its structured fields (a commune's name, INSEE code and postcode, a
#: department's code, a yes/no as a boolean, numbers as numbers, attachments' file names, a
#: repetition block's rows) — ``stringValue`` is only the platform's text for people (« Belley
#: (01300) », « 01 - Ain », « true ») — and its private annotations (to publish
#: idempotently). The ``value`` fields differ in type from one champ type to the next, hence
#: their aliases. The fragments on section headers and explanations make the platform type
#: them as what they are (it types them TextChamp otherwise), so that they are left out.
_DOSSIER = """
fragment ChampValeur on Champ {
  id
  champDescriptorId
  __typename
  label
  stringValue
  ... on TextChamp { texte: value }
  ... on DropDownListChamp { option: value }
  ... on YesNoChamp { ouiNon: value }
  ... on CheckboxChamp { coche: value }
  ... on IntegerNumberChamp { entier: value }
  ... on DecimalNumberChamp { decimal: value }
  ... on DateChamp { date }
  ... on CommuneChamp {
    commune { name code postalCode }
    departement { code name }
  }
  ... on DepartementChamp { departement { code name } }
  ... on PieceJustificativeChamp { files { filename } }
  ... on HeaderSectionChamp { id }
  ... on ExplicationChamp { id }
}

fragment ChampExporte on Champ {
  ...ChampValeur
  ... on RepetitionChamp { rows { champs { ...ChampValeur } } }
}

fragment DossierExporte on Dossier {
  id
  number
  state
  dateDepot
  dateDerniereModification
  dateDerniereModificationChamps
  motivation
  usager { email }
  demandeur {
    __typename
    ... on PersonneMorale {
      siret
      entreprise { raisonSociale formeJuridique formeJuridiqueCode }
      address { cityName cityCode }
    }
    ... on PersonneMoraleIncomplete { siret }
  }
  champs { ...ChampExporte }
  annotations { ...ChampExporte }
}
"""

DOSSIERS = _DOSSIER + """
query Dossiers($demarche: Int!, $premiers: Int!, $apres: String, $depuis: ISO8601DateTime) {
  demarche(number: $demarche) {
    id
    number
    title
    dossiers(first: $premiers, after: $apres, updatedSince: $depuis) {
      pageInfo { hasNextPage endCursor }
      nodes { ...DossierExporte }
    }
  }
}
"""

DOSSIERS_SUPPRIMES = """
query DossiersSupprimes($demarche: Int!, $premiers: Int!, $apres: String,
                        $depuis: ISO8601DateTime) {
  demarche(number: $demarche) {
    deletedDossiers(first: $premiers, after: $apres, deletedSince: $depuis) {
      pageInfo { hasNextPage endCursor }
      nodes { number state dateSupression reason }
    }
  }
}
"""

#: The démarche's instructors (their ids sign the mutations) and private annotations (the
#: ids the values are written to).
INSTRUCTION = """
query Instruction($demarche: Int!) {
  demarche(number: $demarche) {
    id
    number
    groupeInstructeurs { instructeurs { id email } }
    activeRevision { annotationDescriptors { id label __typename } }
  }
}
"""

DOSSIER = _DOSSIER + """
query Dossier($numero: Int!) {
  dossier(number: $numero) { ...DossierExporte }
}
"""

PASSER_EN_INSTRUCTION = """
mutation PasserEnInstruction($dossier: ID!, $instructeur: ID!) {
  dossierPasserEnInstruction(input: {dossierId: $dossier, instructeurId: $instructeur}) {
    errors { message }
  }
}
"""

ACCEPTER = """
mutation Accepter($dossier: ID!, $instructeur: ID!, $motivation: String) {
  dossierAccepter(input: {dossierId: $dossier, instructeurId: $instructeur,
                          motivation: $motivation}) {
    errors { message }
  }
}
"""

REFUSER = """
mutation Refuser($dossier: ID!, $instructeur: ID!, $motivation: String!) {
  dossierRefuser(input: {dossierId: $dossier, instructeurId: $instructeur,
                         motivation: $motivation}) {
    errors { message }
  }
}
"""

ANNOTER = """
mutation Annoter($dossier: ID!, $instructeur: ID!, $annotations: [AnnotationInput!]!) {
  dossierModifierAnnotations(input: {dossierId: $dossier, instructeurId: $instructeur,
                                     annotations: $annotations}) {
    errors { message }
  }
}
"""

#: Every document, by name: what the tests validate against the schema.
DOCUMENTS = {"Dossiers": DOSSIERS, "DossiersSupprimes": DOSSIERS_SUPPRIMES,
             "Instruction": INSTRUCTION, "Dossier": DOSSIER,
             "PasserEnInstruction": PASSER_EN_INSTRUCTION, "Accepter": ACCEPTER,
             "Refuser": REFUSER, "Annoter": ANNOTER}
