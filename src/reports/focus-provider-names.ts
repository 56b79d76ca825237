/** FOCUS InvoiceIssuerName / ProviderName and ServiceName per Costrail provider id. */
const PROVIDER_NAMES: Record<string, [issuer: string, service: string]> = {
  openai: ['OpenAI', 'OpenAI API'],
  anthropic: ['Anthropic', 'Claude API'],
  gemini: ['Google', 'Gemini API'],
  vertex: ['Google', 'Vertex AI'],
  mistral: ['Mistral AI', 'Mistral AI API'],
  azure: ['Microsoft', 'Azure OpenAI'],
  'azure-openai': ['Microsoft', 'Azure OpenAI'],
  bedrock: ['Amazon Web Services', 'Amazon Bedrock'],
  cohere: ['Cohere', 'Cohere API'],
  deepseek: ['DeepSeek', 'DeepSeek API'],
  xai: ['xAI', 'xAI API'],
  groq: ['Groq', 'GroqCloud'],
  together: ['Together AI', 'Together AI API'],
  openrouter: ['OpenRouter', 'OpenRouter API'],
};

export function focusProviderNames(p: string): [string, string] {
  return PROVIDER_NAMES[p] ?? [p, `${p} API`];
}
